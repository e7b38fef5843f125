# 党内关怀帮扶管理系统 — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench drill install migrate seed worker clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
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
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/run.py

# Breaks PostgreSQL, Redis and a Celery worker for real and checks nothing is lost (needs root).
drill: $(STAMP)
	$(PY) scripts/fault_drill.py

clean:
	rm -rf $(VENV) var/db.sqlite3 var/celerybeat-schedule* var/celery-broker var/imports
