"""The practice's clinical cut-offs keep to sensible ranges: in the settings form and in the database."""

import pytest
from django.db import IntegrityError, transaction

from clinic.forms import PracticeForm
from clinic.models import Practice
from clinic.selectors import get_practice

pytestmark = pytest.mark.django_db


def form_with(**values) -> PracticeForm:
    practice = get_practice()
    data = {
        "name": practice.name,
        "time_zone": practice.time_zone,
        "currency": practice.currency,
        "min_notice_minutes": 120,
        "horizon_days": 60,
        "cancellation_cutoff_hours": 24,
        "slot_step_minutes": 15,
        "lsi_flag_percent": "90",
        "step_down_height_cm": "20",
        "reminder_lead_hours": "24,2",
        "sms_quiet_start": "21:00",
        "sms_quiet_end": "08:00",
        "paper_size": "A4",
        **values,
    }
    return PracticeForm(data, instance=practice)


@pytest.mark.parametrize(("field", "value"), [("lsi_flag_percent", "49.9"), ("lsi_flag_percent", "100.1"),
                                              ("lsi_flag_percent", "0"), ("step_down_height_cm", "4"),
                                              ("step_down_height_cm", "41")])  # fmt: skip
def test_the_settings_form_refuses_a_cut_off_outside_its_range(field, value):
    form = form_with(**{field: value})
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize(("lsi", "step"), [("50", "5"), ("85.5", "20"), ("100", "40")])
def test_the_settings_form_accepts_the_edges_of_the_ranges(lsi, step):
    assert form_with(lsi_flag_percent=lsi, step_down_height_cm=step).is_valid()


def test_the_database_refuses_an_lsi_flag_of_150_or_a_step_of_100_cm():
    get_practice()
    with pytest.raises(IntegrityError), transaction.atomic():
        Practice.objects.filter(pk=1).update(lsi_flag_percent=150)
    with pytest.raises(IntegrityError), transaction.atomic():
        Practice.objects.filter(pk=1).update(step_down_height_cm=100)
