import os
import subprocess
import sys

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from clinic.models import Practice
from clinic.settings import envbool, envint
from tests.factories import DEFAULT_PASSWORD


def test_envbool_refuses_values_that_are_neither_true_nor_false(monkeypatch):
    monkeypatch.setenv("MEDIUS_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="MEDIUS_X"):
        envbool("MEDIUS_X", "false")
    monkeypatch.setenv("MEDIUS_X", "Yes")
    assert envbool("MEDIUS_X", "false") is True


def test_envint_refuses_words(monkeypatch):
    monkeypatch.setenv("MEDIUS_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="MEDIUS_N"):
        envint("MEDIUS_N", 1)


def _django(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIUS_", "DJANGO_", "DEBUG", "SECRET_KEY"))}
    return subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "manage.py", *args],
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _python(env: dict, code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIUS_", "DJANGO_", "DEBUG", "SECRET_KEY"))}
    return subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_web_and_worker_processes_refuse_to_start_without_a_secret_key(tmp_path):
    production = {"DEBUG": "false", "MEDIUS_VAR_DIR": str(tmp_path)}
    web = _python(production, "import clinic.wsgi")
    assert web.returncode != 0
    assert "SECRET_KEY must be set" in web.stderr
    worker = _python(
        production,
        "import django; django.setup(); from celery.signals import worker_init; "
        "from clinic.celery import app; worker_init.send(sender=None)",
    )
    assert worker.returncode != 0
    assert "SECRET_KEY must be set" in worker.stderr
    deploy_check = _django(production, "check", "--deploy")
    assert "security.W009" in deploy_check.stdout + deploy_check.stderr
    # Offline commands still run (the migrations check, collectstatic).
    assert _django(production, "makemigrations", "--check", "--dry-run").returncode == 0


def test_the_serverless_broker_starts_without_kombu_warnings(tmp_path):
    # `make run` without REDIS_URL uses the filesystem transport; a URL with no hostname made kombu warn
    # "No hostname was supplied" on every command (seed_demo's output included).
    env = {"DEBUG": "true", "MEDIUS_VAR_DIR": str(tmp_path), "REDIS_URL": "", "DATABASE_URL": ""}
    result = _python(
        env,
        "import logging; logging.basicConfig(); import django; django.setup(); "
        "from clinic.celery import app; conn = app.connection_for_write(); "
        "print(conn.transport_cls, conn.as_uri()); conn.release()",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("filesystem")
    assert "No hostname" not in result.stderr


def test_a_misspelt_time_zone_fails_loudly(tmp_path):
    result = _django({"DEBUG": "true", "CLINIC_TIME_ZONE": "Europe/Londn", "MEDIUS_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "CLINIC_TIME_ZONE" in result.stderr


def test_the_deployment_check_is_clean_with_production_settings(tmp_path):
    result = _django(
        {
            "DEBUG": "false",
            "SECRET_KEY": "a-long-random-production-secret-" + "k3y" * 12,
            "ALLOWED_HOSTS": "clinic.example.org",
            "MEDIUS_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_healthz_reports_the_database_and_the_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_says_503_when_the_broker_is_down(client, settings):
    from clinic.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client, front_desk):
    response = client.post(reverse("password_reset"), {"email": front_desk.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [front_desk.email]
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-long-phrase", "new_password2": "a-fresh-long-phrase"},
    )
    assert done.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.check_password("a-fresh-long-phrase")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@clinic.test"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_change_needs_the_old_password(persona_client, front_desk):
    client = persona_client("front_desk")
    bad = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "another-long-phrase", "new_password2": "another-long-phrase"},
    )
    assert bad.status_code == 200
    assert "old_password" in bad.context["form"].errors
    good = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "another-long-phrase",
            "new_password2": "another-long-phrase",
        },
    )
    assert good.status_code == 302


@pytest.mark.django_db
def test_admins_change_the_booking_rules_and_bad_values_are_explained(persona_client):
    client = persona_client("admin_user")
    page = client.get(reverse("practice-settings"))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "logo"}
    data.update(name="Riverside Physio", time_zone="Europe/Dublin", slot_step_minutes=10, reminder_lead_hours="2, 48")
    data = {k: (v.strftime("%H:%M") if hasattr(v, "strftime") else v) for k, v in data.items()}
    assert client.post(reverse("practice-settings"), data).status_code == 302
    practice = Practice.objects.get()
    assert (practice.name, practice.slot_step_minutes, practice.reminder_lead_hours) == ("Riverside Physio", 10, "48,2")

    bad = client.post(reverse("practice-settings"), {**data, "time_zone": "Mars/Olympus", "slot_step_minutes": 1})
    assert bad.status_code == 200
    assert {"time_zone", "slot_step_minutes"} <= bad.context["form"].errors.keys()
    assert Practice.objects.get().time_zone == "Europe/Dublin"
