# The two commands of the README: `make demo` and `make test`.
# Both make their own virtual environment in .venv (Python 3.11 or newer).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test lint bench clean i18n

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

# The catalogues of the pages and the CLI (English is the source; de and fr): extract the
# strings into messages.pot (babel.cfg), bring the .po files up to date with it, compile
# the .mo files. The .mo files are committed, so a clean clone and an installed package
# need no build step; tests/test_i18n.py fails on a string without its de or fr words
# (fuzzy or empty) and on a .mo older than its .po.
LOCALE_DIR := src/recoup/locale
i18n: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header --width 100 \
		--project Recoup -o $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) -D messages \
		--width 100 --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
	$(BIN)/pybabel compile -d $(LOCALE_DIR) -D messages --statistics

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/startup.py

# books are never cleaned away: recoup.db may hold more than the demo (`recoup demo`
# replaces a demo book by itself)
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
