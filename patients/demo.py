"""About thirty demo patients with names from several countries (accents included)."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from .models import Patient

NAMES = [
    ("Amélie", "Durand", "female", "FR"),
    ("Jürgen", "Müller", "male", "DE"),
    ("Siobhán", "O'Connor", "female", "IE"),
    ("José", "García", "male", "ES"),
    ("Zoë", "Bennett", "female", "GB"),
    ("Łukasz", "Wiśniewski", "male", "PL"),
    ("Chloé", "Lefèvre", "female", "FR"),
    ("Björn", "Åkesson", "male", "SE"),
    ("Aoife", "Ní Bhriain", "female", "IE"),
    ("João", "Gonçalves", "male", "PT"),
    ("Mette", "Kjær", "female", "DK"),
    ("Emre", "Yılmaz", "male", "TR"),  # noqa: RUF001 (Turkish dotless i is intended)
    ("Nadia", "Haddad", "female", "LB"),
    ("Kwame", "Mensah", "male", "GH"),
    ("Yuki", "Tanaka", "female", "JP"),
    ("Ravi", "Patel", "male", "GB"),
    ("Olivia", "Smith", "female", "GB"),
    ("Dmitri", "Volkov", "male", "RU"),
    ("Fatima", "Zahra", "female", "MA"),
    ("Liam", "Murphy", "male", "IE"),
    ("Anaïs", "Rousseau", "female", "FR"),
    ("Matteo", "Ricci", "male", "IT"),
    ("Søren", "Nørgaard", "male", "DK"),
    ("Ngozi", "Adeyemi", "female", "NG"),
    ("Héctor", "Muñoz", "male", "MX"),
    ("Eleni", "Papadopoulou", "female", "GR"),
    ("Wei", "Chen", "male", "CN"),
    ("Ana", "Kovačević", "female", "HR"),
    ("Tomáš", "Dvořák", "male", "CZ"),
    ("Grace", "Wright", "female", "GB"),
]
REFERRERS = ["Self", "Dr Hughes (GP)", "Parkrun club", "Dr Osei (sports medicine)", "Riverside Harriers"]


def seed(*, password: str, stdout=None) -> list[Patient]:
    rng = random.Random(42)  # fixed seed: the same demo practice every time
    patients = []
    for i, (first, last, sex, _country) in enumerate(NAMES):
        dob = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 45))
        ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().lower()
        email = "".join(c for c in ascii_name if c.isalnum() or c == ".") + "@mail.example"
        patient, _ = Patient.objects.get_or_create(
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            defaults={
                "sex": sex,
                "email": email,
                "phone": f"+447911{i:06d}",
                "referrer": rng.choice(REFERRERS),
                "consent_email": True,
                "consent_sms": i % 3 == 0,
                "data_consent_at": dt.date(2026, 1, 5),
                "address": f"{rng.randint(1, 200)} High Street\nLondon",
            },
        )
        patients.append(patient)
    if stdout:
        stdout.write(f"  {len(patients)} patients")
    return patients
