# Hygie: `make demo` runs the platform on demo data; `make test` runs every check.
# Needs Debian (or similar) with Python 3.11+; uv is used when present, pip otherwise.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest -p no:cacheprovider
# Two workers: CI machines have two cores; the suite is written to run in parallel.
PYTEST_WORKERS ?= 2
UV := $(shell command -v uv 2>/dev/null)
TMP_DIR := $(CURDIR)/.tmp
# Never download a Python interpreter: use the system one.
export UV_PYTHON_DOWNLOADS := never
# Tests never touch the operator's data dir (pytest-django reads the settings before conftest.py).
TEST_ENV := HYGIE_DATA_DIR=$(TMP_DIR)/test-data

.PHONY: help install demo test test-postgres test-sqlite bench bench-smoke lint messages lock system-test-deps clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# --- installation -----------------------------------------------------------------------------

$(STAMP): pyproject.toml uv.lock requirements/lock.txt
ifneq ($(UV),)
	uv sync --frozen --extra dev --python $(PYTHON) --quiet
else
	@# Debian splits venv/ensurepip out of python3: install python3-venv when it is missing.
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || tools/system_deps.sh python3-venv
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
endif
	touch $@

install: $(STAMP)  ## Create .venv and install Hygie with its pinned dependencies

lock:  ## Refresh uv.lock and the pinned requirements file of the pip fallback
	uv lock
	uv export --frozen --no-hashes --extra dev --no-emit-project --quiet -o requirements/lock.txt

# --- demo -------------------------------------------------------------------------------------

demo: $(STAMP)  ## Load the demo hospital group and serve it on http://127.0.0.1:8000/
	$(BIN)/hygie migrate
	$(BIN)/hygie demo
	$(BIN)/hygie manage collectstatic --noinput --verbosity 0
	tools/run_demo.sh

# --- checks -----------------------------------------------------------------------------------

lint: $(STAMP)  ## ruff, mypy, missing migrations, module sizes, engine independence (all run, then fail)
	@status=0; \
	echo "== ruff"; $(BIN)/ruff check src tests bench tools conftest.py manage.py || status=1; \
	echo "== mypy"; $(BIN)/mypy || status=1; \
	echo "== migrations"; HYGIE_DATA_DIR=$(TMP_DIR)/lint-data $(BIN)/python manage.py makemigrations --check --dry-run || status=1; \
	echo "== module sizes"; $(BIN)/python tools/check_module_size.py || status=1; \
	echo "== engine imports"; $(BIN)/python tools/check_engine_imports.py || status=1; \
	if [ -n "$(UV)" ]; then echo "== lock file"; uv lock --check --quiet || { echo "uv.lock is stale: run make lock"; status=1; }; fi; \
	exit $$status

system-test-deps:
	tools/system_deps.sh postgresql chromium samba-ad-dc samba-ad-provision krb5-user ldb-tools openssl
	@# The exposure engine's lab: real servers in network namespaces, and nmap as the reference scanner.
	tools/system_deps.sh iproute2 nmap nginx-light openssh-server samba vsftpd redis-server bind9 bind9-utils \
		xrdp mariadb-server memcached
	@# The detection engine's Spark runner is tested in local mode: a Java runtime.
	tools/system_deps.sh openjdk-17-jre-headless

test: $(STAMP) system-test-deps  ## The whole suite on PostgreSQL, then on SQLite, then the benchmarks at smoke size
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory bench-smoke

test-postgres: $(STAMP)  ## The whole suite (browser and live LDAP tests included) on a temporary PostgreSQL and Samba AD DC
	mkdir -p test-artifacts
	$(TEST_ENV) tools/with_postgres.sh tools/with_samba.sh $(PYTEST) -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-sqlite: $(STAMP)  ## The suite on the embedded SQLite default (browser, network-lab and Spark tests ran on PostgreSQL)
	$(TEST_ENV) $(PYTEST) -n $(PYTEST_WORKERS) -m "not browser and not lab and not spark" $(PYTEST_ARGS)

bench-smoke: $(STAMP)  ## Every benchmark at smoke size (checks that each prints a JSON object last)
	@mkdir -p $(TMP_DIR)
	@for bench in bench/[!_]*.py; do \
		[ -e "$$bench" ] || continue; \
		echo "== $$bench --smoke"; \
		HYGIE_DATA_DIR=$(TMP_DIR)/bench-data $(BIN)/python "$$bench" --smoke | tee $(TMP_DIR)/bench.out; \
		tail -n 1 $(TMP_DIR)/bench.out | $(BIN)/python -c 'import json, sys; assert isinstance(json.loads(sys.stdin.read()), dict)' \
			|| { echo "error: $$bench did not print a JSON object on its last line" >&2; exit 1; }; \
	done

bench: $(STAMP)  ## Every benchmark at full size
	@mkdir -p $(TMP_DIR)
	@for bench in bench/[!_]*.py; do \
		[ -e "$$bench" ] || continue; \
		echo "== $$bench --full"; \
		HYGIE_DATA_DIR=$(TMP_DIR)/bench-data $(BIN)/python "$$bench" --full; \
	done

# --- translations -----------------------------------------------------------------------------

messages: $(STAMP)  ## Extract translatable strings into the .po files and compile the .mo files
	tools/system_deps.sh gettext
	mkdir -p src/hygie/locale
	cd src/hygie && HYGIE_DATA_DIR=$(TMP_DIR)/messages-data ../../$(BIN)/python -m django makemessages \
		--settings hygie.web.settings -l fr --no-location --ignore 'tests/*' --ignore 'testing/*' --no-obsolete
	cd src/hygie && HYGIE_DATA_DIR=$(TMP_DIR)/messages-data ../../$(BIN)/python -m django compilemessages \
		--settings hygie.web.settings

clean:  ## Remove the virtualenv, caches and test artefacts (never your data dir)
	rm -rf $(VENV) $(TMP_DIR) test-artifacts .mypy_cache .ruff_cache
