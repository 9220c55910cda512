# envplan: `make run` to try it, `make test` for everything CI checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
BIND ?= 127.0.0.1:8000
PURE := $(wildcard envplan/standards envplan/hj212 envplan/plantext envplan/lake envplan/problems.py envplan/archives.py envplan/draw envplan/screening envplan/commandline.py envplan/engines)

.PHONY: run prod static install test lint typecheck migrations-check test-sqlite test-browser test-postgres system-deps browser-deps messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

# Collect and compress the static files once (again only when they change); `envplan serve` then starts
# in seconds.
static: $(RUN_STAMP)
	$(BIN)/envplan static

run: $(RUN_STAMP)
	@command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q . || echo "warning: no Chinese (CJK) font is installed: PDFs in Chinese (briefing, assessment) will be refused. Debian: sudo apt-get install fonts-noto-cjk" >&2
	$(BIN)/envplan migrate --no-input
	$(BIN)/envplan demo
	$(BIN)/envplan static
	$(BIN)/envplan serve --bind $(BIND)

# The whole stack under one supervisor (web server, worker, HJ 212 receivers) with the environment of the
# shell (ENVPLAN_DATABASE_URL for PostgreSQL ...): see docs/deployment.md.
prod: $(RUN_STAMP)
	$(BIN)/envplan up --bind $(BIND)

test: $(DEV_STAMP) system-deps lint typecheck migrations-check test-sqlite test-browser test-postgres

system-deps:
	bash scripts/ensure-test-system.sh

# axe-core (the accessibility checker of the browser tests) from npm, pinned, into var/node.
browser-deps:
	bash scripts/ensure-axe.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check envplan tests bench
	$(BIN)/ruff format --check envplan tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict $(PURE)
	ENVPLAN_DATA_DIR=$$(mktemp -d) $(BIN)/mypy envplan

migrations-check: $(DEV_STAMP)
	ENVPLAN_DATA_DIR=$$(mktemp -d) $(BIN)/envplan makemigrations --check --dry-run

# Pure packages and everything else on the embedded SQLite database. The suites run with the wall clock
# moved to 23:00 (SQLite, browser) and 09:00 (PostgreSQL) in Asia/Shanghai: a test that depends on the
# hour fails in one of them (tests/envsetup.py).
test-sqlite: $(DEV_STAMP)
	ENVPLAN_TEST_HOUR=23:00 $(BIN)/pytest -q tests -m "not browser"

# Headless-browser tests (Playwright driving Debian's Chromium), in their own run: Playwright's sync API
# keeps an event loop on the main thread, which the asyncio tests of the HJ 212 receiver must not share.
test-browser: $(DEV_STAMP) browser-deps
	ENVPLAN_TEST_HOUR=23:00 $(BIN)/pytest -q tests -m browser

# The database-backed tests again on a throw-away PostgreSQL server run by a non-root user.
test-postgres: $(DEV_STAMP)
	ENVPLAN_TEST_HOUR=09:00 bash scripts/with-postgres.sh $(BIN)/pytest -q tests --ignore=tests/pure -m "not browser"

# Refresh the translation catalogues after changing interface strings, translate, then compile.
# (Needs GNU gettext; the compiled .mo files are committed so that `make run` does not.)
messages: $(DEV_STAMP)
	cd envplan && ENVPLAN_DATA_DIR=$$(mktemp -d) ../$(BIN)/envplan makemessages --no-location -l fr -l zh_Hans -l en \
		--ignore 'standards/*' --ignore 'hj212/*' --ignore 'plantext/*' --ignore 'lake/*' --ignore 'draw/*' --ignore 'screening/*'
	cd envplan && ENVPLAN_DATA_DIR=$$(mktemp -d) ../$(BIN)/envplan compilemessages

bench: $(DEV_STAMP)
	for script in bench/*.py; do $(BIN)/python $$script --quick || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
