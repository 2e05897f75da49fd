"""factory_boy factories shared by every test. Apps add theirs here."""

from __future__ import annotations

import datetime as dt

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
            self.groups.add(Group.objects.get(name=Role(extracted).value))
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
