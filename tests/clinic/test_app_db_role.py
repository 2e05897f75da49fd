"""The application's database role may append to the audit trail but never rewrite it (setup_app_role)."""

import os

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from clinic import audit

# Transactional: the role connects separately and must see committed grants (pytest-django runs these tests last).
pytestmark = pytest.mark.django_db(transaction=True)

INSERT = (
    "INSERT INTO clinic_auditevent (at, actor_label, action, object_type, object_id, summary, detail) "
    "VALUES (now(), 'app', 'view', 'patients.patient', '1', 'as the app role', '{}') RETURNING id"
)
REFUSED = [
    "UPDATE clinic_auditevent SET summary = 'rewritten'",
    "DELETE FROM clinic_auditevent",
    "TRUNCATE clinic_auditevent",
    "ALTER TABLE clinic_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE clinic_auditevent DISABLE TRIGGER clinic_auditevent_append_only",
    "DROP TRIGGER clinic_auditevent_append_only ON clinic_auditevent",
    "ALTER TABLE clinic_auditevent OWNER TO CURRENT_USER",
    "CREATE OR REPLACE FUNCTION clinic_auditevent_refuse_change() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
    "LANGUAGE plpgsql",
]


@pytest.fixture
def app_role(monkeypatch):
    """A throwaway role made by the command, and a psycopg connection to the test database as that role."""
    name = f"medius_test_app_{os.getpid()}"
    monkeypatch.setenv("MEDIUS_TEST_APP_ROLE_PASSWORD", "throwaway-not-secret")
    call_command("setup_app_role", role=name, password_env="MEDIUS_TEST_APP_ROLE_PASSWORD")
    settings = connection.settings_dict
    conn = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=name,
        password="throwaway-not-secret",
        autocommit=True,
    )
    try:
        yield conn
    finally:
        conn.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


def test_the_app_role_appends_to_the_audit_trail_and_reads_it(app_role):
    row_id = app_role.execute(INSERT).fetchone()[0]
    assert app_role.execute("SELECT summary FROM clinic_auditevent WHERE id = %s", [row_id]).fetchone() == (
        "as the app role",
    )


def test_the_app_role_cannot_rewrite_or_unprotect_the_audit_trail(app_role):
    # One test for every statement: each test here pays for a flush and reload of the whole database.
    audit.record(action=audit.Action.VIEW, object_type="patients.patient", object_id=1, patient_id=1)
    for statement in REFUSED:
        # Refused by the role's rights, not only by the trigger (which the owner of the table could switch off).
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"permission denied|must be owner"):
            app_role.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), bool_and(summary = '') FROM clinic_auditevent")
        assert cursor.fetchone() == (1, True)
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'clinic_auditevent_append_only'")
        assert cursor.fetchone() == ("O",)


def test_the_app_role_keeps_normal_rights_on_every_other_table(app_role):
    app_role.execute("INSERT INTO django_session VALUES ('k', 'data', now())")
    app_role.execute("UPDATE django_session SET session_data = 'changed' WHERE session_key = 'k'")
    app_role.execute("DELETE FROM django_session WHERE session_key = 'k'")
    app_role.execute("UPDATE patients_patient SET first_name = first_name WHERE false")
    app_role.execute("DELETE FROM bookings_appointment WHERE false")


def test_the_command_is_idempotent_and_refuses_the_owner(app_role):
    name = app_role.info.user
    call_command("setup_app_role", role=name, password_env="MEDIUS_TEST_APP_ROLE_PASSWORD")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role.execute("DELETE FROM clinic_auditevent")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="owner"):
        call_command("setup_app_role", role=connection.settings_dict["USER"])
