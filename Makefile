# The two commands of the README: `make demo` and `make test`.
# Both make their own virtual environment in .venv (Python 3.11 or newer).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# the demo book is recoup.db here, where `recoup aging`, `recoup worklist` ... read it;
# `make demo PORT=8001` when 8000 is taken
demo: $(BIN)/.installed
	$(BIN)/recoup demo --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/startup.py

# books are never cleaned away: recoup.db may hold more than the demo (`recoup demo`
# replaces a demo book by itself)
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
