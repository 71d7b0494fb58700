# Bistå — the two commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The PostgreSQL server the second test run uses; its test database is created and dropped by the run.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/bista
DEMO_ENV := BISTA_REQUIRE_2FA=0 DEBUG=0
# The test runs use every core (pytest-xdist): one worker per core, each with its own test database, each
# taking whole files (loadfile) so that what a module shares (a module-scoped demo) stays in one worker.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: install demo test test-sqlite test-postgres lint format bench serve clean screenshots

$(STAMP): pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Bistå behöver Python 3.11 eller senare"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev,browser]'
	@touch $(STAMP)

install: $(STAMP)

# Install, migrate, generate the demo unit once (var/bista.sqlite3, or DATABASE_URL), then serve it. The
# database itself records whether the demo was completed; one whose generation crashed is emptied and made
# again. (var/.demo-generated is only honoured for demos made before that record existed.)
demo: install
	@mkdir -p var
	$(DEMO_ENV) $(BIN)/bista migrate --verbosity 0
	@if [ -f var/.demo-generated ]; then echo "Demodata finns redan (ta bort var/ för att börja om)."; \
	else $(DEMO_ENV) $(BIN)/bista demo --scale unit --years 10 --seed 2026 --unless-generated; fi
	@echo ""
	@echo "  Bistå:      http://$(HOST):$(PORT)/"
	@echo "  Logga in:   chef / bista-demo   (enhetschef; tvåfaktor är avstängd i demon)"
	@echo ""
	$(DEMO_ENV) $(BIN)/bista serve --with-worker --host $(HOST) --port $(PORT)

# Every test on SQLite, then on PostgreSQL. The PostgreSQL run is skipped with a notice when no server
# answers, unless BISTA_REQUIRE_POSTGRES=1 (as in CI), where that is a failure.
test: install test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-postgres: install
	@if $(BIN)/python -m bista.dbcheck "$(PG_TEST_URL)"; then \
		DATABASE_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest $(PYTEST_PARALLEL); \
	elif [ "$${BISTA_REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "PostgreSQL svarar inte på $(PG_TEST_URL), och BISTA_REQUIRE_POSTGRES=1." >&2; exit 1; \
	else echo "PostgreSQL svarar inte på $(PG_TEST_URL): testkörningen mot PostgreSQL hoppas över."; fi

# The start page of each role at 1366 px and 375 px as PNG in var/screenshots/, from the demo database (after
# `make demo`; or DATABASE_URL), with Debian's Chromium. For review, not part of the tests.
screenshots: install
	$(BIN)/python scripts/screenshots.py

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy bista config
	@mkdir -p var
	env -u DATABASE_URL $(BIN)/bista makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/bench_demo.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
