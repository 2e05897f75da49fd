"""seed_demo adds a few patients with two or three signed assessments each, and can run twice."""

import pytest

from assessments import demo
from assessments.models import Assessment
from clinic import demo as clinic_demo
from patients import demo as patients_demo

pytestmark = pytest.mark.django_db


def test_the_demo_adds_signed_assessments_weeks_apart_and_is_idempotent():
    clinic_demo.seed(password="demo-password-123")
    patients_demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    assessments = Assessment.objects.all()
    assert assessments.count() == 7
    assert set(assessments.values_list("status", flat=True)) == {"signed"}
    per_patient = {}
    for a in assessments:
        per_patient.setdefault(a.patient_id, []).append(a.assessed_on)
    assert sorted(len(days) for days in per_patient.values()) == [2, 2, 3]
    for days in per_patient.values():
        assert (max(days) - min(days)).days >= 28
