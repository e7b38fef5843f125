# 党内关怀帮扶管理系统 — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench drill install lock migrate seed worker clean

# Installs exactly the locked versions, each checked against its hash (requirements-dev.lock holds
# requirements.lock's runtime versions plus the development tools).
$(STAMP): requirements.lock requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

# After changing requirements.txt or requirements-dev.txt (the pins we choose): lock them again with
# every dependency and its hashes. tests/core/test_deployment.py fails while a pin is not locked.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url
lock:
	test -x $(VENV)/bin/pip-compile || $(PY) -m pip install --quiet pip-tools
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

migrate: $(STAMP)
	mkdir -p var/celery-broker/out var/celery-broker/processed var/celery-broker/control
	DEBUG=1 $(PY) manage.py migrate --noinput

# Web app at http://127.0.0.1:8000 with a Celery worker and beat beside it. SQLite and an embedded
# broker by default: no PostgreSQL or Redis needed. Ctrl-C stops all three.
run: migrate
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	@echo "启动 Celery worker + beat（日志：var/celery.log）和 Web（http://127.0.0.1:8000）"
	@set -m; DEBUG=1 $(VENV)/bin/celery -A config worker --beat --concurrency=2 --loglevel=INFO \
	    --schedule=var/celerybeat-schedule > var/celery.log 2>&1 & CELERY_PID=$$!; \
	trap 'kill -TERM -- -$$CELERY_PID 2>/dev/null; wait $$CELERY_PID 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/run.py

# Breaks PostgreSQL, Redis and a Celery worker for real and checks nothing is lost; runs two web
# nodes and a worker from separate copies of the code; restores a cluster to a point in time
# (needs root). `DRILL_ARGS="--only scaleout,pitr"` picks scenarios (see scripts/fault_drill.py).
drill: $(STAMP)
	$(PY) scripts/fault_drill.py $(DRILL_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3 var/celerybeat-schedule* var/celery-broker var/imports var/media
