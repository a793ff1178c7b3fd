# gridgov: the whole set-up is `make demo` (serve the Jiangmen demo) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gridgov_test
# Tests run on every core (pytest-xdist; each worker has its own test database). Override with
# `make test PYTEST_ARGS=` for one process, e.g. to read a failure's output in order.
PYTEST_ARGS ?= -n auto
export TEST_DATABASE_URL

.PHONY: setup demo serve worker test test-sqlite test-postgres lint format install bench screenshots clean help messages

help:
	@echo "make demo   set up (venv, packages, database, Jiangmen demo) and serve on http://$(HOST):$(PORT)"
	@echo "make test   ruff + the import contract + the whole test suite on SQLite, then on PostgreSQL"
	@echo "make setup  everything make demo does except serving (idempotent)"
	@echo "make messages  re-extract the UI messages into locale/*.po and compile them (needs gettext)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

setup: install
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) createcachetable
	@$(MANAGE) load_demo

demo: setup
	@$(MANAGE) demo_info --url http://$(HOST):$(PORT)
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) run_worker & \
	  $(MANAGE) runserver $(HOST):$(PORT)

serve: setup
	$(MANAGE) runserver $(HOST):$(PORT)

worker: setup
	$(MANAGE) run_worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint test-sqlite test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	@if $(PY) -m gridgov.dbcheck "$(TEST_DATABASE_URL)"; then \
	  echo "== tests on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
	  DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$GRIDGOV_REQUIRE_POSTGRES" = "1" ]; then \
	  echo "PostgreSQL is unreachable at $(TEST_DATABASE_URL) and GRIDGOV_REQUIRE_POSTGRES=1: failing"; exit 1; \
	else \
	  echo "PostgreSQL is unreachable at $(TEST_DATABASE_URL): skipping the PostgreSQL pass"; \
	fi

# docs/i18n.md: translate the new (empty) entries of locale/*/LC_MESSAGES/django.po, run again.
messages: install
	$(PY) -m gridgov.pofiles messages

bench: install
	$(PY) bench/locate.py

# PNGs of the main screens for the README, from the demo on a throwaway database under var/
screenshots: install
	$(PY) docs/screenshots/make_screenshots.py

clean:
	rm -rf var/gridgov.sqlite3* var/static
