#!/usr/bin/env bash
# Medius scaled out on this machine: nginx, three gunicorn nodes, two Celery workers and a beat, PgBouncer, a private
# Redis and an S3 protocol server on 127.0.0.1 (scripts/scale_out.py does the work).
#   scripts/scale-out.sh          start everything, print it, Ctrl-C stops everything
#   scripts/scale-out.sh check    run the scale-out test, which starts and stops its own cluster
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
exec "$PYTHON" scripts/scale_out.py "${1:-up}"
