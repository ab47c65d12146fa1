# trilink — two commands: `make demo` and `make test`. Both install what they need into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.stamp-install
BENCH_STAMP := $(VENV)/.stamp-bench
NODE_STAMP := node_modules/.stamp-npm

.PHONY: demo test lint typecheck pytest bench install browser clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Debian's chromium for browser tests (Playwright drives it; no browser download), with CJK fonts
# so Korean and Japanese render in screenshots. Needs root (or sudo) for apt-get.
BROWSER_PKGS := chromium fonts-noto-cjk
browser:
	@if command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "make: chromium and fonts-noto-cjk are missing and apt-get needs root:" \
	  "run 'sudo apt-get install $(BROWSER_PKGS)' once, then 'make test' again" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BROWSER_PKGS) >/dev/null

# Front-end libraries (swagger-ui-dist for the offline API docs page) at install time, never at
# run time.
$(NODE_STAMP): package.json
	@if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
	@touch $(NODE_STAMP)

demo: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/trilink demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP) $(NODE_STAMP) browser
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup --durations=15

test: lint typecheck pytest

$(BENCH_STAMP): $(STAMP)
	$(PIP) install -q -e '.[bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
