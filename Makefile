# Marcus Shop. `make run` starts the whole shop; `make test` runs ruff and the test suite.
# Both create .venv and install the pinned dependencies when they are missing or changed.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements.in requirements.lock | cksum | cut -d' ' -f1)
# torch is pinned to its CPU build (torch==...+cpu in requirements.lock), which only PyTorch's CPU wheel index
# carries (PyPI's wheel brings CUDA libraries no process here uses). As in the Dockerfile, pip gets that index
# as an EXTRA index, so every other package still comes from PyPI. When the pinned torch is already at hand
# without any index (a wheel in pip's find-links, e.g. a machine's local wheel folder) the index is left out:
# pip asks every index about every package, and an unreachable one costs retries and warnings on each.
TORCH_INDEX_URL ?= https://download.pytorch.org/whl/cpu
TORCH_PIN := $(shell grep -E '^torch==' requirements.lock)

.PHONY: install run test lint bench lock clean help

help:
	@echo "make run    install, migrate, load the demo catalog and start web, worker, beat and Chroma"
	@echo "make test   install, then ruff and pytest (needs Redis; PostgreSQL via DATABASE_URL)"
	@echo "make bench  run the benchmarks and print their tables"
	@echo "make lock   re-pin requirements.lock from requirements.in"

install: $(STAMP)

$(STAMP): requirements.in requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	if $(PIP) install --quiet --dry-run --no-deps --no-index "$(TORCH_PIN)" >/dev/null 2>&1; then \
		$(PIP) install --quiet -r requirements.in -c requirements.lock; \
	else \
		$(PIP) install --quiet --extra-index-url $(TORCH_INDEX_URL) -r requirements.in -c requirements.lock; \
	fi
	rm -f $(VENV)/.installed-*
	touch $@

# The Procfile's processes under ecommerce_backend/procfile_runner.py; Ctrl-C stops them cleanly with status 0.
# WEB_PORT (8000) and CHROMA_PORT (8001) choose the ports.
run: install
	$(PY) manage.py bootstrap_shop
	# /metrics adds up the files of this run's processes only (docs/operations.md, "Metrics").
	rm -rf "$${PROMETHEUS_MULTIPROC_DIR:-$${MARCUS_VAR_DIR:-var}/metrics}"
	$(PY) -m ecommerce_backend.procfile_runner Procfile

lint: install
	$(VENV)/bin/ruff check .

# The tests talk to a real Redis (db 15 unless REDIS_URL says otherwise: tests/env_defaults.py)
# and start their own Chroma server and Celery worker. Keyword search is each database's own full-text engine
# (PostgreSQL, SQLite FTS5): when the suite ran on PostgreSQL (DATABASE_URL), tests/search* run again on SQLite.
test: install lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	if [ -n "$$DATABASE_URL" ]; then env -u DATABASE_URL $(VENV)/bin/pytest $(wildcard tests/search*) $(PYTEST_ARGS); fi

bench: install
	$(PY) -m bench.run_all $(BENCH_ARGS)

lock: install
	$(PIP) freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
