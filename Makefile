# Groundswell: `make run` sets everything up and runs the site; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed

.PHONY: run test lint format migrate seed venv clean bench bench-dashboard bench-api

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Petition signing benchmark (bench/README.md): needs PostgreSQL and Redis running; never in CI.
bench: $(STAMP)
	$(BIN)/python bench/petition_sign.py $(BENCH_ARGS)

# Organiser dashboard benchmark (bench/README.md): needs PostgreSQL running; never in CI.
bench-dashboard: $(STAMP)
	$(BIN)/python bench/dashboard.py $(BENCH_ARGS)

# Actions list API benchmark (bench/README.md): needs PostgreSQL running; never in CI.
bench-api: $(STAMP)
	$(BIN)/python bench/api_lists.py $(BENCH_ARGS)

venv: $(STAMP)

# The local environment has production's requirements plus the test, lint and local-run tools.
$(STAMP): requirements.txt requirements-dev.txt package.json package-lock.json
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@# axe-core for the accessibility checks in the browser tests (skipped without npm).
	if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; fi
	touch $(STAMP)

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache
