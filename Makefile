# Atlas: `make up` starts everything on the local PostgreSQL, Redis and RabbitMQ;
# `make test` runs the whole suite. Both install what they need (uv, then the locked deps).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := 3.11
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
QUERY_WORKERS ?= 1
PROCFILE ?= Procfile

.PHONY: up test chaos bench eval lint typecheck check install uv clean-test

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || \
	  python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

install: uv
	@$(UV) sync --locked --all-packages

up: install
	@echo "Atlas: gateway on http://127.0.0.1:8000 with $(QUERY_WORKERS) query worker(s); Ctrl-C stops all"
	@exec $(UV) run --no-sync honcho -f $(PROCFILE) start -c worker=$(QUERY_WORKERS)

# The whole suite, fault scenarios included (each once: they fit the time budget).
test: install
	@$(UV) run --no-sync pytest -q $(PYTEST_ARGS)

# The long fault run: every fault scenario CHAOS_RUNS times over (default 10).
CHAOS_RUNS ?= 10
chaos: install
	@for i in $$(seq 1 $(CHAOS_RUNS)); do echo "== chaos run $$i/$(CHAOS_RUNS)"; \
	  $(UV) run --no-sync pytest -q -m chaos -p no:cacheprovider $(PYTEST_ARGS) || exit 1; done

# The planner's evaluation: every question of each set with its verdict, per capability.
eval: install
	@$(UV) run --no-sync python -m tests.query.planner.evaluate

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(UV) run --no-sync python $$b || exit 1; done

lint: install
	@$(UV) run --no-sync ruff check .

typecheck: install
	@$(UV) run --no-sync mypy libs/common/src services/gateway/src services/query/src services/auth/src services/keys/src services/entitlements/src clients/python/src clients/cli/src

check: lint typecheck test
