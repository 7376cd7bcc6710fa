# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FEATURES := core members kpi satisfaction dashboards mediation records improvement evidence
export FLASK_APP := wsgi.py

.PHONY: run test setup translations db demo browser redis lock lint typecheck check extract-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

## The exact versions of requirements.lock (hashes checked), then the app itself.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## Refresh requirements.lock after a change of pyproject.toml's dependencies (uv);
## `make lock LOCK_ARGS=--upgrade` moves every pin to its newest release.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes $(LOCK_ARGS) \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o requirements.lock

setup: $(VENV)/.installed translations

## Compile every feature's English catalogue (.po -> .mo).
translations: $(VENV)/.installed
	@for f in $(FEATURES); do \
	  if [ -d $$f/translations ]; then $(BIN)/pybabel -q compile -f -d $$f/translations || exit 1; fi; \
	done

## Update the catalogues from the source strings (French is the source language).
extract-messages: $(VENV)/.installed
	@for f in $(FEATURES); do \
	  if [ -d $$f ]; then \
	    $(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/qc-$$f.pot $$f && \
	    mkdir -p $$f/translations && \
	    if [ -f $$f/translations/en/LC_MESSAGES/messages.po ]; then \
	      $(BIN)/pybabel -q update --no-fuzzy-matching -i /tmp/qc-$$f.pot -d $$f/translations -l en; \
	    else $(BIN)/pybabel -q init -i /tmp/qc-$$f.pot -d $$f/translations -l en; fi; \
	  fi; \
	done

db: setup
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

## Set up everything, load the demo data and serve the app (scheduler included).
## Chromium prints the annual report's PDF: without it the app runs, the PDF says so.
run: demo
	@$(MAKE) --no-print-directory browser || echo "No Chromium: the annual report's PDF will be unavailable (printing the page still works)."
	@echo "Qualicharte on http://127.0.0.1:$(PORT)  (e-mails: http://127.0.0.1:$(PORT)/dev/outbox)"
	@$(BIN)/flask scheduler run & sched=$$!; \
	trap "kill $$sched 2>/dev/null" EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Chromium for the end-to-end tests and the report's PDF (Debian's package; installed when missing, as root).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium (end-to-end tests, the report's PDF)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "The end-to-end tests and the report's PDF need Chromium: run 'sudo apt-get install chromium' and retry."; exit 1; fi

## Redis on 127.0.0.1:6379 for the tests of limits shared by workers (started when
## not running; Debian's package installed when missing, as root).
redis:
	@if $(BIN)/python -c "import redis; redis.Redis(socket_connect_timeout=1).ping()" 2>/dev/null; then :; \
	elif command -v redis-server >/dev/null 2>&1; then \
	  redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null; sleep 0.5; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's redis-server (tests of shared rate limits)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null && \
	  redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null; sleep 0.5; \
	else echo "The tests of shared rate limits need Redis on 127.0.0.1:6379: run 'sudo apt-get install redis-server' and retry."; exit 1; fi

## Every test (set TEST_DATABASE_URL=postgresql://... to run them on PostgreSQL).
test: setup browser redis
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint, format and spelling: what CI refuses (and the pre-commit hooks run).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/codespell $(FEATURES) tests benchmarks README.md Makefile

## mypy --strict on the application's packages (settings in pyproject.toml).
typecheck: $(VENV)/.installed
	$(BIN)/mypy $(FEATURES)

## What CI runs before the tests.
check: lint typecheck

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
