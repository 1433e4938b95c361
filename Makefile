# Recouvrement — developer commands. `make run` and `make test` are the two
# commands of the README; everything else is a building block.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python >= 3.12 already on this machine: on PATH first, then pyenv's
# versions. Never downloads an interpreter.
PY ?= $(shell for c in python3.13 python3.12 python3.14 python3; do \
	  p=$$(command -v $$c 2>/dev/null) && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
	done; \
	for p in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
	done)

VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_LINK_MODE := copy

HOST ?= 127.0.0.1
PORT ?= 8000
# The settings build SITE_URL (links in emails, portal, QR codes) from these
# unless SITE_URL is set: `make run PORT=8001` links to port 8001.
export HOST PORT
# Local, git-ignored settings read by manage.py (DEBUG=true, a generated
# SECRET_KEY): Django commands work without prefixing DEBUG=true.
ENV_FILE ?= .env.local
# Everything `make run` writes (SQLite file, mail, broker folders, logs).
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR
DEMO_CLAIMS ?= 1000
# Tests run on the real services (PostgreSQL and Redis on loopback by default).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/recouvrement
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

.PHONY: help env-file install run setup-demo test test-sqlite lint migrations-check bench bench-smoke load clean

help:
	@echo "make run    - install, migrate, load demo data, start web + Celery worker + beat"
	@echo "make test   - the whole test suite (PostgreSQL + Redis on loopback)"
	@echo "make bench  - benchmarks on PostgreSQL (BENCH_CLAIMS=100000)"

$(BIN)/python:
	@test -n "$(PY)" || { echo "No Python >= 3.12 found on PATH or under pyenv." >&2; exit 1; }
	@$(PY) -m venv $(VENV)
	@$(BIN)/pip install --quiet --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: $(BIN)/python pyproject.toml uv.lock
	@$(BIN)/uv sync --quiet --frozen --python $(BIN)/python
	@touch $@

node_modules/.installed: package.json package-lock.json
	@npm ci --silent --no-audit --no-fund
	@touch $@

$(ENV_FILE):
	@umask 077; { echo "# Local development settings, written by make install; never commit."; \
	  echo "DEBUG=true"; \
	  echo "SECRET_KEY=$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"; } > "$@"

env-file: $(ENV_FILE)

install: $(VENV)/.synced node_modules/.installed $(ENV_FILE)
	@mkdir -p var
	@DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules >/dev/null

setup-demo: install
	@mkdir -p "$(VAR_DIR)/log"
	@DEBUG=true $(MANAGE) migrate --noinput -v0
	@DEBUG=true $(MANAGE) seed_demo --if-empty --claims $(DEMO_CLAIMS) -v0

# Web, Celery worker and beat in one process group; their logs go to
# $(VAR_DIR)/log. Ctrl-C (or SIGTERM) stops all three.
run: setup-demo
	@DEBUG=true bash -c 'stop() { trap - INT TERM EXIT; kill $$(jobs -p) 2>/dev/null; wait; }; \
	  trap "stop; exit 0" INT TERM; trap stop EXIT; \
	  $(BIN)/celery -A recouvrement worker --loglevel=INFO --concurrency=2 >>"$(VAR_DIR)/log/worker.log" 2>&1 & \
	  $(BIN)/celery -A recouvrement beat --loglevel=INFO >>"$(VAR_DIR)/log/beat.log" 2>&1 & \
	  $(MANAGE) runserver --noreload $(HOST):$(PORT) >>"$(VAR_DIR)/log/web.log" 2>&1 & \
	  echo "Recouvrement: http://$(HOST):$(PORT)/  (back-office: http://$(HOST):$(PORT)/admin/)"; \
	  echo "Demo login: demo / demo-recouvrement  (Ctrl-C stops web, worker and beat)"; \
	  wait -n; status=$$?; echo "A service stopped (status $$status); logs in $(VAR_DIR)/log/" >&2; exit $$status'

test: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: install
	@mkdir -p "$(VAR_DIR)"
	DATABASE_URL=sqlite:///$(VAR_DIR)/test-smoke.sqlite3 REDIS_URL= $(BIN)/pytest -m "not browser" -q -x tests/claims $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

migrations-check: install
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

bench: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/recouvrement_bench} REDIS_URL=$(TEST_REDIS_URL) \
	  $(if $(BENCH_CLAIMS),BENCH_CLAIMS=$(BENCH_CLAIMS)) $(BIN)/python -m bench $(BENCH_ARGS)

# 50 users on gunicorn + PostgreSQL for 2 minutes (loopback); drops LOAD_DATABASE_URL.
load: install
	DATABASE_URL=$${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/recouvrement_load} REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) node_modules var
