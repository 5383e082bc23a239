# Inserm international cooperation portal. The two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# Tests always run on PostgreSQL and Redis (overridable, e.g. in CI).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/inserm_portal
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14
TEST_RESULT_BACKEND ?= redis://127.0.0.1:6379/15
TEST_ENV := DEBUG=1 SECRET_KEY=test-only-secret-key DATABASE_URL=$(TEST_DATABASE_URL) \
	CELERY_BROKER_URL=$(TEST_BROKER_URL) CELERY_RESULT_BACKEND=$(TEST_RESULT_BACKEND) PORTAL_VAR_DIR=$(CURDIR)/var/test

.PHONY: run test coverage lint format venv messages makemessages migrate demo bench faults clean e2e screenshots

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	$(PY) scripts/offline_templates.py
	touch $@

venv: $(VENV)/.installed

# Compile the translation catalogues: GNU msgfmt when present, else Babel (pure Python).
messages: venv
	@if command -v msgfmt >/dev/null; then DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else $(VENV)/bin/pybabel compile -d locale -D django; fi

makemessages: venv
	DEBUG=1 $(PY) manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles --no-obsolete

migrate: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo

run: venv messages
	DEBUG=$${DEBUG:-1} bash scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: venv messages
	$(VENV)/bin/ruff check .
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest --durations=30 $(PYTEST_ARGS)

# The same suite under coverage (a third slower: tracing every line), with the report per module.
coverage: venv messages
	$(TEST_ENV) $(VENV)/bin/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# The browser journeys alone (headless Debian Chromium; `make test` runs them too). A failing step
# leaves a screenshot and the page's HTML in artifacts/e2e/<test name>/.
e2e: venv messages
	$(TEST_ENV) $(VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

# PNGs of the main pages at desktop and phone widths in artifacts/screenshots/.
screenshots: venv messages
	$(TEST_ENV) $(PY) scripts/screenshots.py

# Benchmarks (issue 9): a year of data on PostgreSQL and Redis, in production mode; not part of
# `make test`. Prints a table and writes bench/results.json (the README shows the latest run).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/inserm_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/11

bench: venv messages
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) $(PY) bench/run.py

# The fault figures alone (bench/faults/): their own database (inserm_faults) and Redis servers
# (ports 6391-6395), merged into bench/results.json.
faults: venv messages
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) $(PY) bench/run.py --only faults

clean:
	rm -rf $(VENV) var staticfiles .coverage htmlcov artifacts
