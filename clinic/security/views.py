"""Pages: the second-factor check and set-up, the user's own Security section, and the admins' security page."""

from __future__ import annotations

import io
from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import audit, permissions
from ..models import User
from . import selectors, services
from .lockout import lockout_response, password_reset_allowed
from .middleware import two_factor_exempt

RECOVERY_SESSION_KEY = "medius_new_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@two_factor_exempt
@permissions.require(permissions.STAFF)
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not selectors.has_second_factor(user):
        return redirect(reverse("two_factor_setup") + "?" + urlencode({"next": _next_url(request)}))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_second_factor(request=request, user=user, code=form.cleaned_data["code"])
        except services.CodeRefused as refused:
            if refused.locked_out:
                logout(request)
                return lockout_response(request)
            form.add_error("code", refused.message)
            status = 400
        else:
            return redirect(_next_url(request))
    context = {
        "form": form,
        "next": _next_url(request),
        "has_passkey": selectors.passkeys(user).exists(),  # a revoked one too: its owner then reads why it fails
        "has_totp": selectors.totp_devices(user).exists(),
    }
    return render(request, "clinic/security/verify.html", context, status=status)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: the SVG goes inline in the page


@two_factor_exempt
@permissions.require(permissions.STAFF)
def setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), then type the first code to confirm."""
    user = request.user
    if not user.is_verified() and selectors.has_second_factor(user):
        # Adding a device must never replace checking the one they have.
        return redirect(reverse("two_factor_verify") + "?" + request.GET.urlencode())
    device = services.pending_totp_device(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_device(
            request=request, user=user, device_id=device.pk, code=form.cleaned_data["code"]
        )
        if codes is None:
            form.add_error("code", _("That code is not right. Check the time on your phone and try the newest code."))
            status = 400
        else:
            messages.success(request, _("Your authenticator app is set up."))
            if codes:
                request.session[RECOVERY_SESSION_KEY] = codes
                return redirect(reverse("two_factor_recovery_codes") + "?" + urlencode({"next": _next_url(request)}))
            return redirect(_next_url(request))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": secret,
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
        "required": request.practice.require_two_factor,
    }
    return render(request, "clinic/security/setup.html", context, status=status)


@permissions.require(permissions.STAFF)
def recovery_codes(request):
    """New recovery codes are shown once, right after they are made; POST makes a new set."""
    if request.method == "POST":
        request.session[RECOVERY_SESSION_KEY] = services.regenerate_recovery_codes(request=request, user=request.user)
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    return render(
        request,
        "clinic/security/recovery_codes.html",
        {"codes": codes, "left": selectors.recovery_codes_left(request.user), "next": _next_url(request)},
    )


@permissions.require(permissions.STAFF)
def account(request):
    user = request.user
    context = {
        "totp_devices": selectors.totp_devices(user),
        "passkeys": selectors.passkeys(user),
        "recovery_left": selectors.recovery_codes_left(user),
        "tokens": selectors.tokens_of(user),
        "required": request.practice.require_two_factor,
    }
    return render(request, "clinic/security/account.html", context)


@permissions.require(permissions.STAFF)
@require_POST
def remove_device(request):
    kind, device_id = request.POST.get("kind"), request.POST.get("id", "")
    if not device_id.isdigit():
        messages.error(request, _("That device was not found."))
        return redirect("account-security")
    if kind == "passkey":
        done = services.revoke_passkey(request=request, user=request.user, credential_id=int(device_id))
    elif kind == "totp":
        done = services.remove_totp_device(request=request, user=request.user, device_id=int(device_id))
    else:
        done = False
    if done:
        messages.success(request, _("Removed."))
    else:
        messages.error(request, _("That device was not found."))
    return redirect("account-security")


@permissions.require(permissions.STAFF)
@require_POST
def revoke_own_token(request):
    if services.revoke_token(
        request=request, actor=request.user, digest=request.POST.get("digest", ""), owner=request.user
    ):
        messages.success(request, _("The token was revoked; the client using it is signed out."))
    else:
        messages.error(request, _("That token was not found (it may have expired or been revoked already)."))
    return redirect("account-security")


# --- clinic admins -------------------------------------------------------------------------------------------------


@permissions.require(permissions.SECURITY_MANAGE)
def security_admin(request):
    context = {
        "account_locks": selectors.account_locks(),
        "address_locks": selectors.address_locks(),
        "staff": selectors.staff_with_devices(),
        "tokens": selectors.all_tokens(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "clinic/security/admin.html", context)


@permissions.require(permissions.SECURITY_MANAGE)
@require_POST
def admin_unlock(request):
    username, ip = request.POST.get("username", "").strip(), request.POST.get("ip_address", "").strip()
    if not username and not ip:
        messages.error(request, _("Choose an account or an address to unlock."))
        return redirect("security-admin")
    services.unlock(request=request, actor=request.user, username=username, ip_address=ip)
    messages.success(request, _("Unlocked %(who)s.") % {"who": username or ip})
    return redirect("security-admin")


@permissions.require(permissions.SECURITY_MANAGE)
@require_POST
def admin_reset_two_factor(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    services.reset_two_factor(request=request, actor=request.user, user=user)
    messages.success(request, _("Two-factor sign-in and API tokens of %(email)s were reset.") % {"email": user.email})
    return redirect("security-admin")


@permissions.require(permissions.SECURITY_MANAGE)
@require_POST
def admin_revoke_token(request):
    if services.revoke_token(request=request, actor=request.user, digest=request.POST.get("digest", "")):
        messages.success(request, _("The token was revoked."))
    else:
        messages.error(request, _("That token was not found (it may have expired or been revoked already)."))
    return redirect("security-admin")


class LimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per address and per typed email so it cannot be used to flood an inbox."""

    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        refused = password_reset_allowed(ip=audit.client_ip(self.request), email=email)
        audit.record(
            action=audit.Action.PASSWORD_RESET,
            request=self.request,
            summary=f"Password reset asked for {email}" + (" (refused: limit)" if refused else ""),
            detail={"email": email, "limited": bool(refused)},
        )
        if refused:
            form.add_error(None, refused)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
