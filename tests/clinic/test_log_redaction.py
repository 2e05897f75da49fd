"""Capability tokens (manage, plan, feed and claim links) never reach a log line."""

import datetime as dt
import logging
import re
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clinic.log_redaction import GunicornLogger, RedactTokensFilter, mask_phone, redact

TOKEN = "s3cr3t-T0ken_abcdefghijklmnopqrstuvwxyz"


def _token_routes(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _token_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and "<str:token>" in str(p.pattern):
            yield "/" + prefix + str(p.pattern)


TOKEN_ROUTES = sorted(set(_token_routes()))


def test_the_walk_finds_every_kind_of_capability_link():
    joined = " ".join(TOKEN_ROUTES)
    for kind in ("book/manage/", "plan/", "api/v1/public/bookings/", "calendar/feed/", "book/waiting-list/"):
        assert kind in joined


@pytest.mark.parametrize("route", TOKEN_ROUTES)
def test_every_token_route_is_redacted(route):
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: TOKEN if m.group(1) == "token" else "1", route)
    line = f'127.0.0.1 - - "GET {url}?download=1 HTTP/1.1" 200 "https://clinic.example.org{url}"'
    cleaned = redact(line)
    assert TOKEN not in cleaned
    assert "[redacted]" in cleaned


def test_other_urls_are_left_alone():
    line = '"GET /patients/12/?q=anna HTTP/1.1" 200'
    assert redact(line) == line


def test_a_token_in_the_query_string_is_redacted():
    assert redact(f"/somewhere/?token={TOKEN}&x=1") == "/somewhere/?token=[redacted]&x=1"


def test_django_request_log_records_are_redacted():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/plan/{TOKEN}/",), None
    )
    assert RedactTokensFilter().filter(record)
    assert record.getMessage() == "Not Found: /plan/[redacted]/"


def test_the_configured_handlers_redact(settings):
    # settings.LOGGING as the web and worker processes apply it: the console and runserver's handler both filter.
    assert settings.LOGGING["filters"]["redact_tokens"]["()"] == "clinic.log_redaction.RedactTokensFilter"
    for name in ("console", "django.server"):
        assert "redact_tokens" in settings.LOGGING["handlers"][name]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["django.server"]
    assert settings.LOGGING["root"]["handlers"] == ["console"]
    server = logging.getLogger("django.server").handlers
    assert any(isinstance(f, RedactTokensFilter) for h in server for f in h.filters)


def test_the_gunicorn_access_log_is_redacted():
    logger = GunicornLogger(SimpleNamespace(**_gunicorn_cfg()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/book/manage/{TOKEN}/?x=1",
        "PATH_INFO": f"/book/manage/{TOKEN}/",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://clinic.example.org/plan/{TOKEN}/",
        "REMOTE_ADDR": "203.0.113.5",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("Location", f"/calendar/feed/{TOKEN}.ics")])
    request = SimpleNamespace(headers=[("REFERER", f"https://clinic.example.org/plan/{TOKEN}/")])
    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=0, microseconds=5))
    assert not [key for key, value in atoms.items() if isinstance(value, str) and TOKEN in value]
    assert atoms["r"] == "GET /book/manage/[redacted]/?x=1 HTTP/1.1"
    assert atoms["{location}o"] == "/calendar/feed/[redacted].ics"


def _gunicorn_cfg():
    from gunicorn.config import Config

    cfg = Config()
    return {name: setting.get() for name, setting in cfg.settings.items()} | {
        "settings": cfg.settings,
        "logconfig_dict": {},
        "syslog": False,
    }


def test_the_console_sms_backend_logs_neither_the_number_nor_the_link(caplog):
    from clinic.notifications.sms import ConsoleBackend

    text = f"Reminder: Tue 10:00 with Sam. Manage: https://clinic.example.org/book/manage/{TOKEN}/"
    with caplog.at_level(logging.INFO, logger="clinic.notifications.sms"):
        ConsoleBackend().send(to="+447700900123", text=text, reference="N-1")
    logged = caplog.text
    assert TOKEN not in logged
    assert "+447700900123" not in logged
    assert mask_phone("+447700900123") in logged


def test_the_gunicorn_config_runs_gthread_workers_with_timeouts():
    from gunicorn.config import Config

    from clinic.settings import BASE_DIR

    namespace: dict = {}
    exec((BASE_DIR / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 (our own config file)
    cfg = Config()
    for key in ("worker_class", "threads", "timeout", "logger_class", "keepalive"):
        cfg.set(key, namespace[key])
    assert cfg.worker_class_str == "gthread"
    assert cfg.threads > 1 and 0 < cfg.timeout <= 60 and cfg.keepalive <= 10
    assert cfg.logger_class is GunicornLogger
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]' in dockerfile
    assert 'command: ["gunicorn", "--config", "gunicorn.conf.py"]' in (BASE_DIR / "docker-compose.yml").read_text()
