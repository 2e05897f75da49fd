"""The Celery app. Tasks live in the app whose data they change; they take ids and are queued after commit."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("medius")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_to_start_without_a_secret_key(**kwargs):
    # Workers sign patients' private links; a missing key must stop them at start, not at the first email.
    # SystemExit, because Celery logs and swallows ordinary exceptions raised by signal handlers.
    from django.core.exceptions import ImproperlyConfigured

    from clinic.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from exc


@worker_init.connect
def _serve_worker_metrics(**kwargs):
    # A worker node serves its own Prometheus metrics (task durations by kind) on WORKER_METRICS_PORT: its prefork
    # children write to PROMETHEUS_MULTIPROC_DIR and this, the parent, adds them up when scraped (docs/deploy.md).
    port = os.environ.get("WORKER_METRICS_PORT")
    if not port:
        return
    import prometheus_client
    from prometheus_client import multiprocess

    registry = prometheus_client.REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    prometheus_client.start_http_server(
        int(port), addr=os.environ.get("WORKER_METRICS_ADDRESS", "127.0.0.1"), registry=registry
    )


@worker_ready.connect
def _relay_work_left_while_the_broker_was_down(**kwargs):
    # Work recorded while Redis was down goes out as soon as a worker is back, without waiting for the beat.
    from clinic.pending_tasks import relay

    relay()
