"""Demo staff for seed_demo: one account per role plus two more physiotherapists."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group

from .models import User
from .roles import Role
from .selectors import get_practice

DEMO_DOMAIN = "medius.example"
STAFF = [
    ("admin", "Alex", "Morgan", Role.ADMIN),
    ("frontdesk", "Sam", "Okafor", Role.FRONT_DESK),
    ("physio", "Priya", "Raman", Role.PHYSIO),
    ("physio2", "Tomás", "Delgado", Role.PHYSIO),
    ("physio3", "Ingrid", "Søndergaard", Role.PHYSIO),
]


def demo_email(handle: str) -> str:
    return f"{handle}@{DEMO_DOMAIN}"


def seed(*, password: str, stdout=None) -> None:
    practice = get_practice()
    if not practice.address:
        practice.name = "Riverside Running Physio"
        practice.address = "12 Mill Lane\nLondon SE1 7AB"
        practice.phone = "+44 20 7946 0000"
        practice.email = "hello@riverside-physio.example"
        practice.save()
    if settings.DEBUG and practice.require_two_factor:
        # `make run` is a one-click demo: no authenticator app needed to look around (docs/security.md).
        practice.require_two_factor = False
        practice.save(update_fields=["require_two_factor"])
    for handle, first, last, role in STAFF:
        user, created = User.objects.get_or_create(
            email=demo_email(handle),
            defaults={"first_name": first, "last_name": last, "is_staff": role == Role.ADMIN},
        )
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        if stdout and created:
            stdout.write(f"  staff {user.email} ({role.value})")
