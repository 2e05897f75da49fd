"""Practitioners and their public profile (name, short bio, photo, the types they offer), set up by a clinic admin.

The photo goes through clinic.images like an exercise picture (a real image, at most 5 MB and 40 megapixels, resized,
re-encoded without metadata) and is stored under MEDIA_ROOT/practitioners/ with a random name: it is shown on the
public booking page, so it is public media, and it is never a patient's file.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic import audit
from clinic.images import process_upload
from clinic.roles import Role, role_of

from .models import Practitioner, Resource

BIO_MAX = 600  # a short bio: two or three sentences on the booking page


@transaction.atomic
def save_practitioner(
    *,
    practitioner: Practitioner | None = None,
    user=None,
    display_name: str,
    bio: str = "",
    appointment_types=(),
    is_active: bool = True,
    order: int = 0,
    photo=None,
    remove_photo: bool = False,
    actor,
    request=None,
) -> Practitioner:
    created = practitioner is None
    if created:
        if user is None:
            raise ValidationError({"user": [_("Choose the staff account.")]})
        if role_of(user) not in (Role.PHYSIO, Role.ADMIN):
            raise ValidationError({"user": [_("Only physiotherapists and clinic admins see patients.")]})
        if Practitioner.objects.filter(user=user).exists():
            raise ValidationError({"user": [_("This member of staff is already a practitioner.")]})
        practitioner = Practitioner(user=user)
    if len(bio) > BIO_MAX:
        raise ValidationError({"bio": [_("Keep the bio under %(n)d characters.") % {"n": BIO_MAX}]})
    practitioner.display_name = display_name.strip()
    practitioner.bio = bio.strip()
    practitioner.is_active = is_active
    practitioner.order = order
    if photo is not None:
        clean, _small = process_upload(photo, field="photo")
        ext = clean.name.rsplit(".", 1)[-1]
        practitioner.photo.save(f"{secrets.token_hex(8)}.{ext}", clean, save=False)
    elif remove_photo and practitioner.photo:
        practitioner.photo.delete(save=False)
        practitioner.photo = ""
    practitioner.full_clean(exclude=["user"] if not created else None)
    practitioner.save()
    practitioner.appointment_types.set(appointment_types)
    audit.record(
        action=audit.Action.CREATE if created else audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=practitioner,
        summary=f"Practitioner {practitioner.display_name}",
    )
    return practitioner


@transaction.atomic
def add_resource(*, name: str, kind: str, actor, request=None) -> Resource:
    name = name.strip()
    if Resource.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("There is already a room or equipment with this name.")]})
    resource = Resource.objects.create(name=name, kind=kind)
    audit.record(action=audit.Action.CREATE, request=request, actor=actor, obj=resource, summary=f"Resource {name}")
    return resource


@transaction.atomic
def set_resource_active(*, resource: Resource, active: bool, actor, request=None) -> Resource:
    """An inactive room is no longer offered on the type form; appointments already holding it keep it."""
    resource.is_active = active
    resource.save(update_fields=["is_active"])
    audit.record(
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=resource,
        summary=f"Resource {resource.name} {'active' if active else 'inactive'}",
    )
    return resource
