"""The clinic admin's Setup pages: staff accounts and roles here; practitioners, appointment types and questionnaire
packs are served by their own apps and listed on the Setup page through clinic.panels.register_setup_item."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import staff_accounts
from .forms import add_service_errors
from .panels import setup_items_for
from .permissions import STAFF_MANAGE, require
from .roles import STAFF_ROLES, Role, role_of

ROLE_CHOICES = [(r.value, r.value) for r in STAFF_ROLES]


class StaffForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email address"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES, initial=Role.FRONT_DESK.value)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


@require(STAFF_MANAGE)
def setup(request):
    return render(request, "clinic/setup.html", {"items": setup_items_for(request.user)})


@require(STAFF_MANAGE)
def staff_list(request):
    form = StaffForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = staff_accounts.create_staff(
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=Role(data["role"]),
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Account made for %(email)s; the invitation is on its way.") % {"email": user.email}
                )
                return redirect("setup-staff")
        status = 400
    accounts = [(u, role_of(u)) for u in staff_accounts.staff_accounts()]
    return render(request, "clinic/staff_list.html", {"form": form, "accounts": accounts}, status=status)


@require(STAFF_MANAGE)
def staff_edit(request, pk: int):
    account = get_object_or_404(get_user_model(), pk=pk)
    form = RoleForm(request.POST or None, initial={"role": role_of(account).value})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                staff_accounts.change_role(
                    user=account, role=Role(form.cleaned_data["role"]), actor=request.user, request=request
                )
            except staff_accounts.StaffConflict as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, _("Role saved."))
                return redirect("setup-staff")
        else:
            status = 400
    return render(
        request,
        "clinic/staff_edit.html",
        {"account": account, "account_role": role_of(account), "form": form},
        status=status,
    )


@require(STAFF_MANAGE)
@require_POST
def staff_active(request, pk: int):
    account = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        staff_accounts.set_active(user=account, active=active, actor=request.user, request=request)
    except staff_accounts.StaffConflict as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "clinic/staff_edit.html",
            {
                "account": account,
                "account_role": role_of(account),
                "form": RoleForm(initial={"role": role_of(account).value}),
            },
            status=409,
        )
    messages.success(request, _("Account reactivated.") if active else _("Account deactivated."))
    return redirect("setup-staff")


@require(STAFF_MANAGE)
@require_POST
def staff_invite(request, pk: int):
    account = get_object_or_404(get_user_model(), pk=pk, is_active=True, is_superuser=False)
    from . import pending_tasks, tasks

    pending_tasks.enqueue(tasks.send_staff_invitation, account.pk)  # survives a broker outage
    messages.success(request, _("The invitation was sent again to %(email)s.") % {"email": account.email})
    return redirect("setup-staff")
