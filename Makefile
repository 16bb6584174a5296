# Atlas: `make up` starts everything on the local PostgreSQL, Redis and RabbitMQ (private ones
# under var/servers/ when installed but not running: tools/devservers);
# `make test` runs the whole suite. Both install what they need (uv, then the locked deps).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := 3.11
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
QUERY_WORKERS ?= 1
SUPERVISOR_CONF ?= supervisord.conf
# The MCP server (streamable HTTP on 127.0.0.1:8105) runs with `make up ATLAS_MCP=1` only.
MCP_AUTOSTART := $(if $(filter 1,$(ATLAS_MCP)),true,false)

.PHONY: up test chaos bench eval lint typecheck check install uv clean-test

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || \
	  python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

install: uv js
	@$(UV) sync --locked --all-packages

# JavaScript (npm workspace: clients/typescript, clients/react, clients/widget, clients/console,
# examples/react).
# `npm ci` runs when package-lock.json changed, the build when any workspace source changed:
# make compares them with the stamps under node_modules/.
JS_WORKSPACES := clients/typescript clients/react clients/widget clients/console examples/react
JS_SOURCES := $(shell find $(JS_WORKSPACES) \( -name node_modules -o -name dist \) -prune \
  -o -type f -print 2>/dev/null)
JS_STAMP_CI := node_modules/.atlas-npm-ci
JS_STAMP_BUILD := node_modules/.atlas-build

.PHONY: js node-check
js: node-check $(JS_STAMP_BUILD)

node-check:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
	  { echo "make: node and npm not found: install Node.js 20 or newer (https://nodejs.org)" >&2; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
	  { echo "make: Node.js $$(node --version) is too old: install Node.js 20 or newer" >&2; exit 1; }

$(JS_STAMP_CI): package-lock.json package.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(JS_STAMP_BUILD): $(JS_STAMP_CI) $(JS_SOURCES) tsconfig.base.json
	@npm run build --workspaces --if-present --silent
	@touch $@

up: install
	@$(UV) run --no-sync python -m atlas_gateway.banner $(QUERY_WORKERS)
	@QUERY_WORKERS=$(QUERY_WORKERS) ATLAS_MCP_AUTOSTART=$(MCP_AUTOSTART) exec $(UV) run --no-sync \
	  python -m tools.devservers -- \
	  supervisord -n -c $(SUPERVISOR_CONF) -j /tmp/atlas-supervisord.$$$$.pid

# The whole suite, fault scenarios included (each once: they fit the time budget), in
# TEST_WORKERS pytest-xdist processes, a test file never split between two (docs/testing.md).
TEST_WORKERS ?= 2
test: install
	@$(UV) run --no-sync pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The long fault run: every fault scenario CHAOS_RUNS times over (default 10).
CHAOS_RUNS ?= 10
chaos: install
	@for i in $$(seq 1 $(CHAOS_RUNS)); do echo "== chaos run $$i/$(CHAOS_RUNS)"; \
	  $(UV) run --no-sync pytest -q -m chaos -p no:cacheprovider $(PYTEST_ARGS) || exit 1; done

# The soak (never in test or chaos): half the knee for SOAK_SECONDS (default 600), then RSS
# growth <= 10 %, file descriptors and Redis subscriptions back to the baseline.
.PHONY: soak
soak: install
	@$(UV) run --no-sync python -m tests.e2e.chaos.soak

# The planner's evaluation: every question of each set with its verdict, per capability
# (some sets only: `make eval EVAL_SETS="tpch chinook"`).
eval: install
	@$(UV) run --no-sync python -m tests.query.planner.evaluate $(EVAL_SETS)

# Every bench, or some: `make bench BENCH=bench/cpu_per_question.py`. Load comes from Debian's
# wrk (installed with apt-get when missing); docs/performance.md says what each one measures.
BENCH ?= bench/*.py
bench: install
	@command -v wrk >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk \
	  >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null)
	@for b in $(BENCH); do echo "== $$b"; $(UV) run --no-sync python $$b || exit 1; done

lint: install
	@$(UV) run --no-sync ruff check .
	@$(UV) run --no-sync lint-imports --no-cache  # the architecture: [tool.importlinter] in pyproject.toml
	@npm run lint --silent

typecheck: install
	@$(UV) run --no-sync mypy libs/common/src libs/datasources/src services/gateway/src services/query/src services/auth/src services/keys/src services/entitlements/src services/scheduler/src services/audit/src clients/python/src clients/cli/src clients/mcp/src tools
	@npm run typecheck --silent

check: lint typecheck test
