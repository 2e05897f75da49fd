"""gunicorn settings for the web container (Dockerfile, docker-compose.yml): `gunicorn -c gunicorn.conf.py`.

gthread workers: a slow or half-sent request ties up one thread, not a whole worker, and idle keep-alive connections
wait in the worker's poller instead of in a thread. Timeouts bound the rest. A buffering reverse proxy in front
(docs/security.md) is still the first defence against slow clients.
"""

import os

wsgi_app = "clinic.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is restarted
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection is kept
max_requests = 2000  # recycle workers now and then (bounds slow leaks)
max_requests_jitter = 200
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
# Capability tokens (manage, plan, feed, claim links) are removed from every access log field.
logger_class = "clinic.log_redaction.GunicornLogger"
