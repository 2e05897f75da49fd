"""Sets the scene in the scale-out cluster's database, in a process of its own (the test process's Django points at the
test database, not the cluster's). Prints what it made as one line of JSON.

    python -m tests.scale.scene base            # a bookable slot, a physio with a password, a program to print
    python -m tests.scale.scene reminders 300   # 300 booked visits, each with an email reminder already due
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import django


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (16, 110, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def base() -> dict:
    from django.contrib.auth.models import Group
    from django.core.files.base import ContentFile

    from clinic.roles import STAFF_ROLES, Role
    from clinic.selectors import get_practice
    from tests.bookings.conftest import at, next_monday
    from tests.factories import (
        DEFAULT_PASSWORD,
        AppointmentTypeFactory,
        PractitionerFactory,
        ProgramFactory,
        ProgramItemFactory,
        UserFactory,
    )

    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    # The logo goes to object storage (S3_BUCKET) from this process; the worker that prints the PDF must find it there.
    practice.logo.save("scale-out-logo.png", ContentFile(_png()), save=False)
    practice.save()
    appointment_type = AppointmentTypeFactory(name="Initial assessment", duration_minutes=60, buffer_after_minutes=10)
    practitioner = PractitionerFactory(types=[appointment_type], hours=True)
    physio = UserFactory(email="physio@scale.test", role=Role.PHYSIO)
    program = ProgramFactory(physio=physio, title="Hip stability")
    for _ in range(3):
        ProgramItemFactory(program=program)
    return {
        "appointment_type": appointment_type.pk,
        "practitioner": practitioner.pk,
        "start": at(next_monday(), "10:00").isoformat(),
        "physio_email": physio.email,
        "password": DEFAULT_PASSWORD,
        "program": program.pk,
        "logo": practice.logo.name,
    }


def reminders(count: int) -> dict:
    """Visits far ahead, one an hour, each with a reminder due a minute ago: the dispatcher sends them at once."""
    from django.utils import timezone

    from bookings.notifications import SUBJECT_TYPE
    from clinic.models import Notification
    from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory

    kind = AppointmentTypeFactory(name="Follow-up", duration_minutes=30, buffer_after_minutes=0)
    practitioner = PractitionerFactory(types=[kind], user__email="reminders@scale.test")  # factory sequences restart
    first = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=30)
    appointments = [
        AppointmentFactory(
            patient=PatientFactory(email=f"patient{i}@mail.test"),
            practitioner=practitioner,
            appointment_type=kind,
            start=first + dt.timedelta(hours=i),
            source="front_desk",
        )
        for i in range(count)
    ]
    due = timezone.now() - dt.timedelta(minutes=1)
    made = Notification.objects.bulk_create(
        Notification(
            subject_type=SUBJECT_TYPE,
            subject_id=str(a.pk),
            subject_label=a.reference,
            patient_id=a.patient_id,
            kind="reminder",
            channel="email",
            recipient=a.patient.email,
            due_at=due,
            next_attempt_at=due,
        )
        for a in appointments
    )
    return {"notifications": [n.pk for n in made]}


if __name__ == "__main__":
    django.setup()
    from django.db import transaction

    with transaction.atomic():
        result = base() if sys.argv[1] == "base" else reminders(int(sys.argv[2]))
    print(json.dumps(result))
