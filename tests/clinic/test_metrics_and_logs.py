"""Prometheus metrics and request-id logs: an operator can see how Medius is doing and follow one request into
the worker, and nobody else can read the metrics."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import redis
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from clinic import celery_routes
from clinic.notifications import services as notification_services


def _samples(body: bytes) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = "scraper-secret-" + "x" * 20
    return settings.METRICS_TOKEN


@pytest.mark.django_db
def test_metrics_are_refused_to_everyone_but_admins_and_the_scraper(persona_client, client, metrics_token):
    assert persona_client("anonymous").get("/metrics").status_code == 302  # to the sign-in page
    for persona in ("outsider", "front_desk", "physio"):
        assert persona_client(persona).get("/metrics").status_code == 403, persona
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 302
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 302
    assert persona_client("admin_user").get("/metrics").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").status_code == 200


@pytest.mark.django_db
def test_without_a_configured_token_no_bearer_opens_the_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 302


@pytest.mark.django_db
def test_request_latency_is_reported_per_view(client, metrics_token):
    client.get("/healthz")
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}' in body


@pytest.mark.django_db
def test_the_outbox_backlog_and_the_age_of_its_oldest_due_message_are_reported(client, metrics_token):
    now = timezone.now()
    for minutes, label in ((-30, "late"), (-5, "due"), (60, "later")):
        notification_services.schedule(
            subject_type="tests.visit",
            subject_id=label,
            kind="reminder",
            channel="email",
            recipient="someone@example.org",
            due_at=now + dt.timedelta(minutes=minutes),
        )
    samples = _samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content)
    assert _value(samples, "medius_outbox_due_messages") == 2  # the one due in an hour is not backlog
    assert 30 * 60 <= _value(samples, "medius_outbox_oldest_due_age_seconds") < 31 * 60


@pytest.mark.django_db
def test_celery_queue_depths_are_read_from_the_broker(client, settings, metrics_token):
    prefix = f"test-metrics-{time.monotonic_ns()}"
    settings.CELERY_QUEUES_BY_KIND = {kind: f"{prefix}.{kind}" for kind in celery_routes.KINDS}
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        broker.rpush(f"{prefix}.pdf", "a", "b", "c")
        samples = _samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content)
        assert _value(samples, "medius_celery_queue_length", queue=f"{prefix}.pdf") == 3
        assert _value(samples, "medius_celery_queue_length", queue=f"{prefix}.notifications") == 0
    finally:
        broker.delete(*settings.CELERY_QUEUES_BY_KIND.values())


@pytest.mark.django_db
def test_task_durations_are_recorded_by_kind(client, metrics_token):
    from bookings.tasks import purge_idempotency_records

    purge_idempotency_records.delay()  # eager in ordinary tests: the same prerun/postrun signals as a worker
    samples = _samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content)
    task = "bookings.tasks.purge_idempotency_records"
    assert _value(samples, "medius_task_seconds_count", kind="maintenance", task=task) >= 1


# --- logs -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def json_log_lines(settings):
    """Lines the production log configuration writes (JSON formatter, request-id filter), captured."""
    import io
    from logging.config import dictConfig

    stream = io.StringIO()
    config = {
        **settings.LOGGING,
        "handlers": {
            **settings.LOGGING["handlers"],
            "capture": {
                "class": "logging.StreamHandler",
                "stream": stream,
                "filters": ["request_id"],
                "formatter": "json",
            },
        },
        "root": {"handlers": ["capture"], "level": "INFO"},
    }
    dictConfig(config)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_log_lines_are_json_and_carry_the_request_id_returned_to_the_client(client, json_log_lines):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    lines = [line for line in json_log_lines() if line["logger"] == "django.request"]
    assert lines, "Django logs the 404"
    assert lines[0]["request_id"] == request_id
    assert lines[0]["level"] == "WARNING"
    assert {"time", "message"} <= set(lines[0])


@pytest.mark.django_db
def test_a_client_supplied_request_id_is_kept_only_when_it_is_a_uuid(client):
    supplied = "3b241101e2bb42558caf4136c566a962"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=supplied).headers["X-Request-ID"] == supplied
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>x").headers["X-Request-ID"] != "<script>x"


def test_a_task_queued_during_a_request_carries_its_request_id_to_the_worker(settings):
    # Published for real to the broker (Redis); the raw message's headers are what a worker reads.
    from django_guid import clear_guid, set_guid

    from clinic.celery import app

    queue = f"test-guid-{time.monotonic_ns()}"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    set_guid("5d0c0f1e2a3b4c5d6e7f8091a2b3c4d5")
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        app.send_task("bookings.tasks.purge_idempotency_records", queue=queue)
        raw = broker.lpop(queue)
    finally:
        app.conf.task_always_eager = eager
        clear_guid()
        broker.delete(queue)
    message = json.loads(raw)
    assert message["headers"]["X-Request-ID"] == "5d0c0f1e2a3b4c5d6e7f8091a2b3c4d5"


@pytest.mark.django_db
def test_the_sample_dashboard_only_charts_metrics_that_exist(client, settings, metrics_token):
    import re

    client.get("/healthz")
    dashboard = json.loads((settings.BASE_DIR / "deploy" / "grafana-dashboard.json").read_text())
    exprs = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content.decode()
    exposed = {line.split(" ")[2] for line in body.splitlines() if line.startswith("# TYPE ")}
    for name in set(re.findall(r"\b(?:medius|django_http)_[a-z_]+", exprs)):
        family = re.sub(r"_(bucket|total|count|sum)$", "", name)
        assert family in exposed or name in exposed, name


def test_the_request_metrics_exist_before_the_first_request():
    # Created lazily by the middleware, two threads' first requests raced to register them (a 500 for one of them).
    from django_prometheus.middleware import Metrics

    assert Metrics._instance is not None
