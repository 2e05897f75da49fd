# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MEDIUS_VAR_DIR=/var/lib/medius STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/var/lib/medius/media

# WeasyPrint needs Pango; the fonts cover Latin, Greek, Cyrillic, CJK and more for printed programs and reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY clinic ./clinic
COPY patients ./patients
COPY bookings ./bookings
COPY assessments ./assessments
COPY programs ./programs
RUN pip install .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=build python manage.py collectstatic --no-input \
    && useradd --system --home /var/lib/medius medius \
    && mkdir -p /var/lib/medius && chown medius /var/lib/medius
USER medius
EXPOSE 8000
# gthread workers with timeouts and token-free access logs: see gunicorn.conf.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
