# graphstore — the two commands a fresh clone needs are `make demo` and `make test`.
# ml-metadata 1.17 (the mlmd extra, and the MLMD parity tests) has wheels for Python 3.9-3.11 only
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
# `make demo` needs graphstore and scikit-learn only: a stamp of its own, so a fresh clone's demo
# skips the dev tools and MLMD; `make test` later installs them into the same venv ($(STAMP))
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: demo test check-mlmd browser lint typecheck unit neo4j neo4j-stop screenshots clean docs

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: the venv needs Python 3.11 (ml-metadata" \
	  "1.17 has no wheels for newer Pythons); install it, or pass PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# the distribution was called graphstore before it got a name of its own (graphstore-lineage)
	-@$(PY) -m pip uninstall --quiet --yes graphstore 2>/dev/null
	$(PY) -m pip install --quiet -e '.[dev,demo,mlmd,server,docs,notebook]'
	touch $@

# the dev install has the demo's extra: after `make test`, the demo installs nothing
$(DEMO_STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: the venv needs Python 3.11" \
	  "(or pass PYTHON=/path/to/python3)" >&2; exit 1; }
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then echo "make: $(VENV) has the dev install"; else \
	  set -e; test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install --quiet --upgrade pip; \
	  $(PY) -m pip uninstall --quiet --yes graphstore 2>/dev/null || true; \
	  echo "$(PY) -m pip install --quiet -e '.[demo]'"; $(PY) -m pip install --quiet -e '.[demo]'; fi
	touch $@

## check-mlmd: fail unless the mlmd extra imports (its tests must run, not skip)
check-mlmd: $(STAMP)
	@$(PY) -c "import ml_metadata, graphstore.mlmd" || { echo "make: the mlmd extra (ml-metadata 1.17) is not" \
	  "importable in $(VENV) ($$($(PY) --version)): install it (.venv/bin/pip install -e '.[mlmd]'), or rebuild" \
	  "the venv with Python 3.11 (make clean && make test)" >&2; exit 1; }

## demo: install graphstore and scikit-learn, run the Iris pipeline into ./graphstore.db (its files in
## ./graphstore-demo-files); running it again adds runs. GRAPHSTORE_URI=bolt://… runs it on Neo4j
demo: $(DEMO_STAMP)
	$(VENV)/bin/graphstore demo

## browser: Debian's chromium for the web UI's tests and the screenshots (a clean machine lacks it).
## Where it cannot be installed (not root) the UI tests skip, unless GRAPHSTORE_REQUIRE_BROWSER=1 (CI).
browser:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; } || \
	  { [ "$$GRAPHSTORE_REQUIRE_BROWSER" != 1 ] && echo "make: chromium could not be installed:" \
	    "the web UI's tests will skip" >&2; }

## test: set up, fetch Neo4j if needed, lint, type-check and run the whole suite on every engine
test: $(STAMP) check-mlmd browser
	@# fetch the Neo4j jars up front (once per machine) unless a server is given or Docker serves it
	@if [ -z "$$NEO4J_URI" ] && command -v mvn >/dev/null && command -v java >/dev/null; then \
	  $(PY) tools/neo4j/launcher.py fetch; fi
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/mypy
	$(PY) -m pytest

## docs: build the documentation site (docs/*.md and an API reference from docstrings) into site/
docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict

lint: $(STAMP)
	$(VENV)/bin/ruff check --no-cache .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## unit: the suite without Neo4j (fast feedback)
unit: $(STAMP)
	$(PY) -m pytest -k "not neo4j"

## neo4j: start a local Neo4j 5.26 from Maven Central jars (needs Java 17+ and Maven; no Docker)
neo4j: $(STAMP)
	$(PY) tools/neo4j/launcher.py start

neo4j-stop: $(STAMP)
	$(PY) tools/neo4j/launcher.py stop

## bench: graphstore vs MLMD 1.17 (its own venv, bench/.venv-mlmd) and vs raw queries, full sizes
.PHONY: bench bench-quick
$(VENV)/.installed-bench: $(STAMP) bench/requirements.txt
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(VENV)/.installed-bench
	@if [ -z "$$NEO4J_URI" ] && command -v mvn >/dev/null && command -v java >/dev/null; then \
	  $(PY) tools/neo4j/launcher.py fetch; fi
	$(PY) bench/run.py

## bench-quick: the same workloads at smaller sizes (under two minutes, Neo4j start included)
bench-quick: $(VENV)/.installed-bench
	@if [ -z "$$NEO4J_URI" ] && command -v mvn >/dev/null && command -v java >/dev/null; then \
	  $(PY) tools/neo4j/launcher.py fetch; fi
	$(PY) bench/run.py --quick

## screenshots: Neo4j Browser (style, guide), the HTML lineage page and the web UI in headless Chromium -> docs/screenshots/
screenshots: $(STAMP) browser
	cd tools/screenshots && npm ci --no-audit --no-fund
	$(PY) tools/neo4j/launcher.py fetch
	$(PY) tools/screenshots/make.py --out docs/screenshots
	@# the web UI's own tests take its screenshots (web-ui-*.png) as they drive it
	GRAPHSTORE_REQUIRE_BROWSER=1 GRAPHSTORE_UI_SCREENSHOTS=docs/screenshots $(PY) -m pytest tests/ui -q -k "sqlite-file"

## notebook-screenshots: run examples/iris.ipynb and photograph its HTML outputs -> docs/screenshots/notebook-*.png
.PHONY: notebook-screenshots
notebook-screenshots: $(STAMP)
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }
	$(PY) tools/notebook_screenshots.py --out docs/screenshots

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
