# The two commands: `make dev` runs the product locally on real engines; `make test` tests it.
# Each installs what it needs first (Python venv, npm packages, Debian packages), only once.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: dev dev-info test screenshots daily bench bench-scale bench-faults setup pwa lock clean

dev: setup pwa
	@devstack/system-deps.sh java font
	$(PY) -m devstack dev

# What `make dev` printed when ready (URL, logins, the outbox, the logs), in any terminal.
dev-info: $(VENV)/.installed
	$(PY) -m devstack info

test: setup pwa tests/e2e/node_modules/.installed
	@devstack/system-deps.sh java browser pdf
	$(PY) -m devstack test

# The pictures in docs/screenshots/ taken again: the browser tests, and the tests that draw the
# signed documents and the labels, with SL_SCREENSHOTS naming the folder (without it, as under
# `make test`, they write theirs to a temporary folder: tests/screenshots.py).
SCREENSHOT_TESTS := tests/unit/test_pdf.py tests/integration/test_parts.py
screenshots: setup pwa tests/e2e/node_modules/.installed
	@devstack/system-deps.sh java browser pdf
	SL_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m devstack test browser python $(SCREENSHOT_TESTS)

# The daily job (follow-up list …) now, against the engines `make dev` runs; DATE=YYYY-MM-DD runs
# it as that day.
daily: $(VENV)/.installed
	$(PY) -m devstack daily $(if $(DATE),--date $(DATE))

# Costs in counts and ratios (DynamoDB requests per screen, bytes, cold import); writes docs/bench.md.
bench: setup pwa
	@devstack/system-deps.sh java font
	$(PY) -m devstack bench

# The routes' costs on two large shops built with the product's code, and the busiest keys'
# writes at many shops (devstack/bench_scale.py); its own section of docs/bench.md. Not part of
# `make test`. SCALE=0.05 builds a twentieth (default 1: 40,000 orders a shop, hours);
# SHOPS, ORDERS_PER_DAY and WORK_HOURS set the load the hot keys are reckoned at.
bench-scale: setup
	@devstack/system-deps.sh java font
	$(PY) -m devstack bench-scale

# A shop's day through injected faults (devstack/bench_faults.py, FAULT_RATE=0.2, CARS=12):
# lost, duplicated, half-done, false refusals and bare 500s, all zero, and the share of 503s
# with Retry-After; its own section of docs/bench.md.
bench-faults: setup
	@devstack/system-deps.sh java font
	$(PY) -m devstack bench-faults

setup: $(VENV)/.installed devstack/node_modules/.installed pwa/node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is needed (the Lambda runtime); set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

%/node_modules/.installed: %/package-lock.json
	cd $* && $(NPM_CI)
	@touch $@

pwa: pwa/node_modules/.installed
	cd pwa && npm run build --silent

# Re-pin the Python dependencies after editing requirements*.in.
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet pip-tools==7.6.2
	for f in requirements requirements-dev; do \
	  $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	    --allow-unsafe --no-header --annotation-style=line $$f.in -o $$f.txt; done

clean:
	rm -rf $(VENV) devstack/node_modules pwa/node_modules pwa/dist tests/e2e/node_modules

# The cloud stack (infra/README.md). `make package` builds build/$(STAGE)/ offline; `make deploy`
# puts it on AWS with the credentials boto3 finds. STAGE is dev or prod (default dev); REGION
# defaults to ap-northeast-1; DOMAIN with CERTIFICATE_ARN and ALARM_EMAIL are optional.
.PHONY: package deploy

package: $(VENV)/.installed
	@devstack/system-deps.sh font
	$(PY) -m infra.package --stage $(or $(STAGE),dev)

deploy: package pwa
	$(PY) -m infra.deploy --stage $(or $(STAGE),dev) $(if $(REGION),--region $(REGION)) \
	  $(if $(DOMAIN),--domain $(DOMAIN)) $(if $(CERTIFICATE_ARN),--certificate-arn $(CERTIFICATE_ARN)) \
	  $(if $(ALARM_EMAIL),--alarm-email $(ALARM_EMAIL))
