# returndesk: `make run` serves the demo, `make test` runs every check. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000
# The PostgreSQL run of the database-behaviour tests; they skip (or fail, in CI) when it is down.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/returndesk
export HYPOTHESIS_PROFILE ?= ci

.PHONY: run test lint typecheck migrations-check pytest pytest-postgres screenshots bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(BIN)/returndesk serve --port $(PORT)

test: lint typecheck migrations-check pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy returndesk

migrations-check: $(STAMP)
	RETURNDESK_DATA_DIR=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run \
		--settings=returndesk.settings

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist load

pytest-postgres: $(STAMP)
	DATABASE_URL=$(TEST_POSTGRES_URL) SECRET_KEY=test-only $(BIN)/pytest -n 2 --dist load -m database

# The browser tests' screenshots for the README, into docs/screenshots/ (passwords masked).
screenshots: $(STAMP)
	RETURNDESK_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -n 2 -m browser tests/browser

# The bench's tools come from Debian: installed here when missing and we are root (apt-get update
# only when the package lists lack them); otherwise `python -m bench` stops naming the package.
apt_get_install = DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1)
apt_install = [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	($(call apt_get_install,$(1)) || (apt-get update && $(call apt_get_install,$(1))))

bench: $(STAMP)
	command -v wrk >/dev/null || $(call apt_install,wrk)
	command -v pgbench >/dev/null || $(call apt_install,postgresql-client)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
