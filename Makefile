# Allmende: `make run` serves a demo garden, `make test` runs the checks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA ?= ./data
NODE_ENV = ALLMENDE_DATA_DIR=$(DATA) PORT=$(PORT)

.PHONY: run test test-browser lint venv messages federation-demo bench bench-profile clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime

run: $(VENV)/.runtime
	$(NODE_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(NODE_ENV) $(BIN)/python manage.py seed_demo
	$(NODE_ENV) $(BIN)/python manage.py serve --port $(PORT)

# Fedify for the interop tests (tests/interop/), when npm is there; without it they skip.
INTEROP := $(if $(shell command -v npm),tests/interop/node_modules/.package-lock.json)
tests/interop/node_modules/.package-lock.json: tests/interop/package-lock.json
	cd tests/interop && npm ci --no-audit --no-fund --loglevel=error

# The suite runs in TEST_WORKERS processes (pytest-xdist; auto: one per CPU, 0: in this one),
# a whole test file to each at a time (module-scoped nodes and peers are made once).
TEST_WORKERS ?= auto
XDIST = $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

# With TEST_DATABASE_URL (and REDIS_URL) set, the same suite runs on PostgreSQL (and Redis).
test: $(VENV)/.dev $(INTEROP)
	$(BIN)/ruff check .
	$(if $(TEST_DATABASE_URL),DATABASE_URL=$(TEST_DATABASE_URL)) $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# Only the browser tests (Playwright + Debian's chromium; screenshots in test-artifacts/).
test-browser: $(VENV)/.dev
	$(if $(TEST_DATABASE_URL),DATABASE_URL=$(TEST_DATABASE_URL)) $(BIN)/pytest -m browser $(XDIST) $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the message catalogues after changing user-facing strings: collect them, fold in
# the German translations kept in locale/de/fragments/, compile (the .mo files are committed).
messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages -l de -l en --no-location --ignore=.venv \
		--ignore=bench --ignore=tests --ignore=node_modules --ignore=static/vendor
	bash locale/merge-fragments.sh
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Three peered demo gardens on ports 8001-8003; Ctrl-C stops all.
federation-demo: $(VENV)/.runtime
	$(BIN)/python manage.py federation_demo --data $(DATA)/federation-demo

# Benchmarks (PostgreSQL and Redis on 127.0.0.1; see docs/performance.md). Each prints its
# figures; none asserts a time. bench-profile runs them sampled with py-spy
# (profiles in bench/profiles/), which costs the measured processes CPU.
bench: $(VENV)/.dev
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/gossip.py

bench-profile:
	BENCH_PROFILE=1 $(MAKE) bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
