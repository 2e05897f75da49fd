"""factory_boy factories shared by every test. Apps add theirs here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from clinic.models import User
from clinic.roles import Role
from patients.models import Patient

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@clinic.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            # get_or_create: transactional tests (browser, real worker) flush the tables, and with them the role
            # groups that a data migration created.
            self.groups.add(Group.objects.get_or_create(name=Role(extracted).value)[0])
        if create:
            self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_between", start_date=dt.date(1950, 1, 1), end_date=dt.date(2008, 1, 1))
    sex = factory.Iterator([Patient.Sex.FEMALE, Patient.Sex.MALE])
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}".lower().replace(" ", "") + "@mail.test")
    phone = factory.Sequence(lambda n: f"+447911{n % 1000000:06d}")
    consent_email = True


# --- assessments ------------------------------------------------------------------------------------------------------
# AssessmentFactory() is a draft with both sides recorded and unremarkable findings (negative Trendelenburg, good
# squat, step-down 0, even strength: LSI 100 %). AssessmentFactory(signed=True) signs it through
# assessments.services (version 1). Override one side with left__<field>=... / right__<field>=...;
# WeakHipAssessmentFactory() gives a weak involved left hip (positive Trendelenburg, pelvic drop on the
# squat, LSI 66.7 %), which makes assessments.selectors.suggested_exercises() suggest the activation rows first.


class SideFindingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assessments.SideFindings"

    assessment = factory.SubFactory("tests.factories.AssessmentFactory", left=None, right=None)
    side = "left"
    trendelenburg_result = "negative"
    trendelenburg_hold_s = 30
    sls_rating = "good"
    step_down_arm = 0
    step_down_trunk = 0
    step_down_pelvis = 0
    step_down_knee = 0
    step_down_unsteady = 0
    mmt_grade = 5
    hhd_trial_1_n = Decimal("175.0")
    hhd_trial_2_n = Decimal("180.0")
    hhd_trial_3_n = Decimal("178.0")
    hhd_lever_arm_m = Decimal("0.800")
    endurance_s = 90
    endurance_stop_reason = "leg_drops"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assessments.Assessment"
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    assessor = factory.SubFactory(UserFactory, role=Role.PHYSIO)
    assessed_on = factory.LazyFunction(dt.date.today)
    involved_side = "left"
    body_mass_kg = Decimal("70.0")
    height_cm = Decimal("172.0")
    sex_for_norms = factory.LazyAttribute(lambda a: a.patient.sex)
    nprs_now = 3
    nprs_worst_24h = 5
    left = factory.RelatedFactory(SideFindingsFactory, factory_related_name="assessment", side="left")
    right = factory.RelatedFactory(SideFindingsFactory, factory_related_name="assessment", side="right")

    @factory.post_generation
    def signed(self, create, extracted, **kwargs):
        if create and extracted:
            from assessments import services

            services.sign_assessment(assessment=self, actor=self.assessor)
            self.refresh_from_db()


class WeakHipAssessmentFactory(AssessmentFactory):
    involved_side = "left"
    left__trendelenburg_result = "positive"
    left__trendelenburg_hold_s = 12
    left__sls_rating = "poor"
    left__sls_pelvic_drop = True
    left__sls_knee_valgus = True
    left__mmt_grade = 4
    left__hhd_trial_1_n = Decimal("110.0")
    left__hhd_trial_2_n = Decimal("120.0")
    left__hhd_trial_3_n = Decimal("115.0")
    left__endurance_s = 35


# --- bookings -------------------------------------------------------------------------------------------------------


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.AppointmentType"

    name = factory.Sequence(lambda n: f"Appointment type {n}")
    duration_minutes = 60
    online_bookable = True


class PractitionerFactory(factory.django.DjangoModelFactory):
    """A physiotherapist's diary. `types=[...]` sets what they offer; `hours=True` gives Mon-Sun 09:00-17:00."""

    class Meta:
        model = "bookings.Practitioner"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.PHYSIO)
    display_name = factory.LazyAttribute(lambda p: p.user.get_full_name() or p.user.email)

    @factory.post_generation
    def types(self, create, extracted, **kwargs):
        if create and extracted:
            self.appointment_types.set(extracted)

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if create and extracted:
            from bookings.models import WorkingHours

            WorkingHours.objects.bulk_create(
                WorkingHours(practitioner=self, weekday=day, start_time=dt.time(9), end_time=dt.time(17))
                for day in range(7)
            )


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment written directly (no rules, no emails): for setting the scene. Tests of booking itself go
    through bookings.services."""

    class Meta:
        model = "bookings.Appointment"

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC))
    end = factory.LazyAttribute(lambda a: a.start + dt.timedelta(minutes=a.appointment_type.duration_minutes))
    blocked_start = factory.LazyAttribute(
        lambda a: a.start - dt.timedelta(minutes=a.appointment_type.buffer_before_minutes)
    )
    blocked_end = factory.LazyAttribute(lambda a: a.end + dt.timedelta(minutes=a.appointment_type.buffer_after_minutes))
    source = "front_desk"
    reference = factory.Sequence(lambda n: f"MD-T{n:05d}")
    manage_nonce = factory.Sequence(lambda n: f"test-nonce-{n}")
    manage_token_hash = factory.LazyAttribute(lambda a: _manage_token_hash(a.manage_nonce))


def _manage_token_hash(nonce: str) -> str:
    from bookings import links

    return links.hash_token(links.token_for(nonce))


# --- programs ------------------------------------------------------------------------------------------------------
# The twelve seed exercises come from programs.library (tests/programs/conftest.py `library` fixture): transactional
# tests flush the data migration's rows, so tests seed them again. ProgramFactory() is an empty draft; add items with
# ProgramItemFactory(program=..., exercise=...) or go through programs.services.


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Exercise"

    key = factory.Sequence(lambda n: f"exercise_{n}")
    name = factory.Sequence(lambda n: f"Test exercise {n}")
    category = "strength"
    position = "standing"
    starting_position = "Stand tall."
    steps = factory.LazyFunction(lambda: ["Lift.", "Lower slowly."])
    cues = factory.LazyFunction(lambda: ["Keep the pelvis level."])
    faults = factory.LazyFunction(lambda: ["Rushing."])
    sets = 3
    reps = 10


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Program"

    patient = factory.SubFactory(PatientFactory)
    physio = factory.SubFactory(UserFactory, role=Role.PHYSIO)
    title = "Hip stability"


class ProgramItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.ProgramItem"

    program = factory.SubFactory(ProgramFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    order = factory.Sequence(lambda n: n + 1)
    sets = 3
    reps = 12
