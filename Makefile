# The team's habits. `make run` and `make test` work on a fresh clone: they build .venv themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12 is the Lambda runtime. Take the first that really runs: PATH (a pyenv shim may only
# pretend), then pyenv's installed versions.
PYTHON312 ?= $(shell for candidate in python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | sort -Vr); do $$candidate -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v $$candidate; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
# requirements-dev.txt and requirements/*.txt name what we use; requirements-dev.lock pins everything
# under them, with hashes (and requirements/<bundle>.lock each Lambda bundle's, for Lambda).
LOCK := requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) | sha1sum | cut -c1-12)
# The browser tests drive the machine's own Chromium (Debian's package), not a downloaded build.
CHROMIUM := /usr/bin/chromium
# From npm, locked with their integrity hashes in package-lock.json: axe-core checks every page in the
# browser tests; TypeScript's tsc type-checks the portal's JavaScript (web/jsconfig.json) in `lint`.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | sha1sum | cut -c1-12)
TSC := node_modules/.bin/tsc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install lock browser run test lint format typecheck unit integration e2e infra bench fuzz load openapi synth clean

help:
	@echo "make run     install, start the local stack with demo data on http://127.0.0.1:8000"
	@echo "make test    install, lint, type-check and run the whole test suite"
	@echo "make format  format and auto-fix;  make lint  check only;  make bench  print benchmark figures"
	@echo "make fuzz    schemathesis over every operation (FUZZ_EXAMPLES, 500) and the entitlement model (MODEL_EXAMPLES, 40), fresh randomness"
	@echo "make load    drive a local stack with concurrent EDV reads and grants; print throughput"
	@echo "make synth   the CloudFormation templates of every stage in cdk.out/ (offline, no AWS account)"
	@echo "make unit | integration | e2e | infra   one part of the suite;  make lock  re-pin after editing requirements"

$(STAMP): $(LOCK)
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (PATH or pyenv)"; exit 1; }
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# uv resolves for every platform at once (--universal) in seconds; plain pip installs the result.
# Each Lambda bundle's lock is resolved for Lambda's platform, at the versions the tests run with.
BUNDLES := api render jobs webhooks ingest export
lock: install
	$(PY) -m uv pip compile requirements-dev.txt --generate-hashes --universal --python-version 3.12 -o $(LOCK) -q
	for bundle in $(BUNDLES); do \
	  $(PY) -m uv pip compile requirements/$$bundle.txt --generate-hashes --python-version 3.12 \
	    --python-platform x86_64-manylinux_2_28 -c $(LOCK) -o requirements/$$bundle.lock -q || exit 1; \
	done

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium

$(NODE_STAMP): package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

browser: $(CHROMIUM) $(NODE_STAMP)

run: install
	$(PY) -m devstack

# The slowest tests are printed at the end: CI has 20 minutes.
test: install browser lint typecheck
	$(PY) -m pytest -n auto --dist loadgroup --durations=20

unit: install
	$(PY) -m pytest tests/unit

integration: install
	$(PY) -m pytest tests/integration

e2e: install browser
	$(PY) -m pytest tests/e2e

infra: install
	$(PY) -m pytest tests/infrastructure

lint: install $(NODE_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(TSC) -p web/jsconfig.json

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck: install
	$(PY) -m mypy chalicelib functions infrastructure devstack bench tests

# Full sizes; `make test` runs the same with --quick (tests/bench).
bench: install
	$(PY) -m bench

# A fresh local stack on 127.0.0.1, driven by LOAD_CONCURRENCY clients for LOAD_SECONDS.
load: install
	$(PY) -m bench.load

# make test fuzzes and model-checks a bounded, derandomised budget; this goes longer with new
# random examples (the OpenAPI fuzzing and the entitlement model of tests/model).
FUZZ_EXAMPLES ?= 500
MODEL_EXAMPLES ?= 40
MODEL_STEPS ?= 20
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz
	MODEL_EXAMPLES=$(MODEL_EXAMPLES) MODEL_STEPS=$(MODEL_STEPS) $(PY) -m pytest tests/model

# jsii (CDK's bridge to Node.js) warns loudly about the machine's Node 20; synthesis works with it.
# prod's alarms need a subscriber: make synth ALARM_EMAIL_PROD=ops@example.org
ALARM_EMAIL_PROD ?=
synth: install
	rm -rf cdk.out chalice.out
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 \
	  CDK_CONTEXT_JSON='{"alarm_email_prod": "$(ALARM_EMAIL_PROD)"}' $(PY) -m infrastructure.app
	@ls cdk.out/*.template.json

openapi: install
	$(PY) -m chalicelib.api > openapi.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .local cdk.out chalice.out .bundles
