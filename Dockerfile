# Atlas images: one build target per process.
#
#   docker build --target gateway      -t atlas/gateway .
#   docker build --target query-worker -t atlas/query-worker .
#   docker build --target query-api    -t atlas/query-api .
#   docker build --target auth         -t atlas/auth .
#   docker build --target keys         -t atlas/keys .
#   docker build --target entitlements -t atlas/entitlements .
#   docker build --target mcp          -t atlas/mcp .
#
# Stages: base (Python) -> builder (uv + lock + every member's pyproject) -> build-<member>
# (one self-contained venv per workspace member: dependencies layer first, then the member's
# own code, installed non-editable) -> runtime (non-root user) -> <process> (venv, CMD,
# HEALTHCHECK). Target names are the console scripts without "atlas-".
# JavaScript: web-build (node:20, npm ci from the lock, the workspace build) makes the widget
# and the admin console; the gateway image copies only their built files (clients/widget/dist,
# clients/console/dist), no node and no sources.
#
# Adding a process: give its pyproject a [project.scripts] entry, then add a build-<member>
# stage (copy of build-auth with the member's name) and a final stage (copy of the auth stage
# with its port). tests/deploy checks targets, CMDs, packages and healthchecks against the
# pyprojects and docker-compose.yml.
#
# Needs BuildKit (the default builder of Docker Engine 23+) for the uv cache mounts.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1


FROM base AS builder
ARG UV_VERSION=0.13.9
RUN pip install "uv==${UV_VERSION}"
# Use the image's interpreter, never a downloaded one; compile bytecode at build time so a
# read-only root filesystem costs nothing at start; the venv lives where the runtime expects.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# `uv sync --locked` reads every workspace member's pyproject, so all of them come first.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/pyproject.toml
COPY libs/datasources/pyproject.toml libs/datasources/pyproject.toml
COPY services/gateway/pyproject.toml services/gateway/pyproject.toml
COPY services/query/pyproject.toml services/query/pyproject.toml
COPY services/auth/pyproject.toml services/auth/pyproject.toml
COPY services/keys/pyproject.toml services/keys/pyproject.toml
COPY services/entitlements/pyproject.toml services/entitlements/pyproject.toml
COPY services/scheduler/pyproject.toml services/scheduler/pyproject.toml
COPY services/audit/pyproject.toml services/audit/pyproject.toml
COPY clients/python/pyproject.toml clients/python/pyproject.toml
COPY clients/cli/pyproject.toml clients/cli/pyproject.toml
COPY clients/mcp/pyproject.toml clients/mcp/pyproject.toml


FROM builder AS build-gateway
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-gateway
COPY libs/common libs/common
COPY services/gateway services/gateway
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-gateway


FROM builder AS build-query
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-query
COPY libs/common libs/common
COPY services/query services/query
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-query


FROM builder AS build-auth
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-auth
COPY libs/common libs/common
COPY services/auth services/auth
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-auth


FROM builder AS build-keys
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-keys
COPY libs/common libs/common
COPY services/keys services/keys
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-keys


FROM builder AS build-entitlements
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-entitlements
COPY libs/common libs/common
COPY services/entitlements services/entitlements
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-entitlements


FROM builder AS build-scheduler
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-scheduler
COPY libs/common libs/common
COPY services/scheduler services/scheduler
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-scheduler


FROM builder AS build-audit
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-audit
COPY libs/common libs/common
COPY services/audit services/audit
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-audit


# The MCP server is a client of the gateway: the SDK and its own package, no service code.
FROM builder AS build-mcp
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package atlas-mcp
COPY clients/python clients/python
COPY clients/mcp clients/mcp
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package atlas-mcp


# The npm workspace (ADR 0008): the lock first (a dependencies layer), then the sources.
FROM ${NODE_IMAGE} AS web-build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json biome.json ./
COPY clients/typescript/package.json clients/typescript/package.json
COPY clients/react/package.json clients/react/package.json
COPY clients/widget/package.json clients/widget/package.json
COPY clients/console/package.json clients/console/package.json
COPY examples/react/package.json examples/react/package.json
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY clients/typescript clients/typescript
COPY clients/react clients/react
COPY clients/widget clients/widget
COPY clients/console clients/console
RUN npm run build -w clients/typescript -w clients/react -w clients/widget -w clients/console


FROM base AS runtime
# A fixed uid/gid, so Kubernetes' runAsUser / fsGroup and volume ownership can name it.
# /data belongs to it: a fresh named volume mounted there inherits that ownership.
RUN groupadd --system --gid 10001 atlas \
    && useradd --system --uid 10001 --gid atlas --create-home --home-dir /home/atlas \
        --shell /usr/sbin/nologin atlas \
    && install -d -o atlas -g atlas -m 0750 /data
ENV PATH=/app/.venv/bin:$PATH \
    VIRTUAL_ENV=/app/.venv
WORKDIR /app
USER 10001:10001


FROM runtime AS gateway
COPY --from=build-gateway /app/.venv /app/.venv
COPY --from=web-build /src/clients/widget/dist /app/widget
COPY --from=web-build /src/clients/console/dist /app/console
ENV ATLAS_GATEWAY_HOST=0.0.0.0 \
    ATLAS_GATEWAY_PORT=8000 \
    ATLAS_WIDGET_DIR=/app/widget \
    ATLAS_CONSOLE_DIR=/app/console
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_GATEWAY_PORT', '8000') + '/healthz', timeout=2)"]
CMD ["atlas-gateway"]


# The worker has no HTTP port. Heartbeat contract: each worker process touches its own file,
# <ATLAS_WORKER_HEARTBEAT_DIR>/<hostname>-<pid> (dir /tmp/atlas-worker-heartbeats), every
# ATLAS_WORKER_HEARTBEAT_S (5 s); `atlas-query-worker --check` exits 0 while a worker beats and
# none is silent longer than ATLAS_WORKER_STALE_S (15 s), 1 otherwise (a frozen worker too).
FROM runtime AS query-worker
COPY --from=build-query /app/.venv /app/.venv
ENV ATLAS_DEMO_DB_PATH=/data/demo.duckdb
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["atlas-query-worker", "--check"]
CMD ["atlas-query-worker"]


FROM runtime AS query-api
COPY --from=build-query /app/.venv /app/.venv
ENV ATLAS_QUERY_API_HOST=0.0.0.0 \
    ATLAS_QUERY_API_PORT=8104 \
    ATLAS_DEMO_DB_PATH=/data/demo.duckdb
EXPOSE 8104
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_QUERY_API_PORT', '8104') + '/healthz', timeout=2)"]
CMD ["atlas-query-api"]


FROM runtime AS auth
COPY --from=build-auth /app/.venv /app/.venv
ENV ATLAS_AUTH_HOST=0.0.0.0 \
    ATLAS_AUTH_PORT=8101
EXPOSE 8101
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_AUTH_PORT', '8101') + '/healthz', timeout=2)"]
CMD ["atlas-auth"]


FROM runtime AS keys
COPY --from=build-keys /app/.venv /app/.venv
ENV ATLAS_KEYS_HOST=0.0.0.0 \
    ATLAS_KEYS_PORT=8102
EXPOSE 8102
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_KEYS_PORT', '8102') + '/healthz', timeout=2)"]
CMD ["atlas-keys"]


# Any number of replicas: each slot is fired by one (row locks + one run per slot).
FROM runtime AS scheduler
COPY --from=build-scheduler /app/.venv /app/.venv
ENV ATLAS_SCHEDULER_HOST=0.0.0.0 \
    ATLAS_SCHEDULER_PORT=8106
EXPOSE 8106
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_SCHEDULER_PORT', '8106') + '/healthz', timeout=2)"]
CMD ["atlas-scheduler"]


# Any number of replicas: writes are idempotent by event id; upkeep takes an advisory lock.
FROM runtime AS audit
COPY --from=build-audit /app/.venv /app/.venv
ENV ATLAS_AUDIT_HOST=0.0.0.0 \
    ATLAS_AUDIT_PORT=8107
EXPOSE 8107
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_AUDIT_PORT', '8107') + '/healthz', timeout=2)"]
CMD ["atlas-audit"]


# The plans file is not in the image: mount it (compose mounts deploy/plans.example.yaml at
# /etc/atlas/plans.yaml) and point ATLAS_PLANS_FILE at it. Unset: the built-in plan.
FROM runtime AS entitlements
COPY --from=build-entitlements /app/.venv /app/.venv
ENV ATLAS_ENTITLEMENTS_HOST=0.0.0.0 \
    ATLAS_ENTITLEMENTS_PORT=8103
EXPOSE 8103
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_ENTITLEMENTS_PORT', '8103') + '/healthz', timeout=2)"]
CMD ["atlas-entitlements"]


# The MCP server over streamable HTTP at /mcp: each MCP client sends its own API key as
# Bearer; ATLAS_URL names the gateway. It holds no secret and reaches nothing but the gateway.
FROM runtime AS mcp
COPY --from=build-mcp /app/.venv /app/.venv
ENV ATLAS_MCP_TRANSPORT=http \
    ATLAS_MCP_HOST=0.0.0.0 \
    ATLAS_MCP_PORT=8105
EXPOSE 8105
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ATLAS_MCP_PORT', '8105') + '/healthz', timeout=2)"]
CMD ["atlas-mcp"]
