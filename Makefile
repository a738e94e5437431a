# The two quick-start commands (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/ata serve --demo

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium and set CHROMIUM=/path/to/it"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
	  || echo "warning: could not install Chromium; the browser tests will be skipped (CI fails instead)"

test: $(VENV)/.installed $(CHROMIUM)
	ATA_TEST_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -n auto

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/python bench/registry.py

# The load test (bench/README.md) runs from its own venv: locust registers a pytest plugin that
# would add `session` fixtures to every test run in the project's venv. LOAD_ARGS=--quick: 15 s runs.
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -e '.[bench]'
	touch $@

load: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) ata.db ata.db-wal ata.db-shm .pytest_cache
