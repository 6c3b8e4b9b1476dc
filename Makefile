# govhall: `make demo` runs the demo center, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
GOVHALL := $(VENV)/bin/govhall
PORT ?= 8000
# ECharts, from npm at the version package-lock.json pins, served as a static file.
ECHARTS := stats/static/stats/vendor/echarts.min.js
APT_PACKAGES := chromium fonts-noto-cjk libharfbuzz-subset0 poppler-utils zbar-tools gettext wrk espeak-ng nginx

.PHONY: install system-packages demo test lint typecheck pytest bench loadtest prod-smoke lock messages translations clean

# The compiled translations, remade only when their source changed: two `make test` at once (as
# .ci/run runs on the two databases) must not write the same file together.
MO := locale/zh_Hans/LC_MESSAGES/django.mo

install: system-packages $(VENV)/.installed messages $(ECHARTS)

system-packages:
	@bash scripts/system-packages.sh $(APT_PACKAGES)

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(ECHARTS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js $@

messages: $(MO)

$(MO): $(MO:.mo=.po) $(VENV)/.installed
	cd $(CURDIR) && $(GOVHALL) compilemessages --ignore=.venv --ignore=var -v 0

translations: $(VENV)/.installed
	$(GOVHALL) makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=scripts --no-obsolete

lock:
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

demo: install
	DEBUG=1 bash scripts/demo.sh $(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

pytest: install
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

bench: install
	bash scripts/bench.sh

# deploy/ run for real on PostgreSQL and Redis on 127.0.0.1, through nginx: see docs/deploy.md.
prod-smoke: install
	$(PY) scripts/prod_smoke.py

# The peak day time-lapsed into LOADTEST_SECONDS (300) on 127.0.0.1, LOADTEST_DB=sqlite|postgres|both
# (both); LOADTEST_SCALE shrinks the volumes for a quick check. See docs/benchmarks.md.
loadtest: install
	$(PY) scripts/loadtest.py

clean:
	rm -rf $(VENV) var
