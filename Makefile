# Medius: `make run` to try it, `make test` to check it. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_ENV := DJANGO_SETTINGS_MODULE=clinic.test_settings \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/medius} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1}

.PHONY: run test install lint format migrations-check services system-packages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Serves web, Celery worker and beat on http://127.0.0.1:8000. With no DATABASE_URL/REDIS_URL it needs no server:
# SQLite under var/ and a filesystem Celery broker. Ctrl-C stops all three.
run: $(STAMP)
	bash scripts/ensure-system-packages.sh run || echo "Printing PDFs needs the packages above; everything else works without them."
	export DEBUG=$${DEBUG:-true}; \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py seed_demo && \
	exec $(BIN)/honcho --no-colour start -f Procfile.dev

services:
	bash scripts/ensure-services.sh

# Chromium, fonts, WeasyPrint's libraries, poppler, gettext, nginx, pgbouncer: installed with apt-get when missing.
system-packages:
	bash scripts/ensure-system-packages.sh test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	MEDIUS_TESTING=true $(BIN)/python manage.py makemigrations --check --dry-run

# Every test on the real PostgreSQL and Redis (started here when they are not running), browser tests in Chromium.
test: $(STAMP) system-packages services lint migrations-check
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP) services
	for script in bench/*.py; do $(TEST_ENV) $(BIN)/python $$script || exit 1; done

clean:
	rm -rf var/ staticfiles/ .pytest_cache
