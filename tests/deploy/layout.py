"""Where the packaging files are, what processes exist, and small readers for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.deploy.workspace import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA = ROOT / "deploy" / "compose" / "compose-spec.json"
K8S_DIR = ROOT / "deploy" / "k8s"

#: The HTTP processes and their ports; the query worker has none.
HTTP_PORTS = {"gateway": 8000, "auth": 8101, "keys": 8102, "entitlements": 8103, "query-api": 8104,
              "scheduler": 8106, "audit": 8107}
#: Clients of the gateway with an image of their own: they never get the internal token.
CLIENT_PROCESSES = {"mcp"}
PROCESSES = {*HTTP_PORTS, "query-worker", *CLIENT_PROCESSES}


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}
