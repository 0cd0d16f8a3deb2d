# The README's commands. Each target sets up what it needs from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export CITYCOOP_DATA_DIR ?= $(CURDIR)/var
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

.PHONY: demo test lint docs bench clean messages

$(BIN)/citycoop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## make demo: the web app with the World Cities portfolio, on SQLite, at http://127.0.0.1:8000
demo: $(BIN)/citycoop
	$(BIN)/citycoop demo --host $(DEMO_HOST) --port $(DEMO_PORT)

## make test: the whole suite (lint, types, unit, integration, browser) on the configured database
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/mypy citycoop
	$(BIN)/pytest -n 2 -q

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/mypy citycoop

## make messages: refresh and compile the Chinese catalogue (see scripts/messages.sh)
messages: $(VENV)/.dev-installed
	sh scripts/messages.sh

## make docs: regenerate docs/cli.md from the commands' own help texts
docs: $(VENV)/.dev-installed
	$(BIN)/python -m citycoop.clidocs > docs/cli.md

## make bench: the benchmarks of bench/README.md (start-up, pages, report import, scheduler,
## agendas); the scheduler's CP-SAT baseline needs the bench extra (pip install -e '.[bench]')
bench: $(VENV)/.dev-installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/demo_startup.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/schedule.py --time-limit 30
	$(BIN)/python bench/agendas.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
