"""The packaging files, parsed once per run."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.deploy import dockerfile
from tests.deploy.layout import COMPOSE_FILE, COMPOSE_SCHEMA, K8S_DIR, load_yaml_documents
from tests.deploy.workspace import ROOT, Script, scripts


@pytest.fixture(scope="session")
def stages() -> dict[str, dockerfile.Stage]:
    return dockerfile.load(ROOT / "Dockerfile")


@pytest.fixture(scope="session")
def targets(stages: dict[str, dockerfile.Stage]) -> dict[str, Script]:
    """Each final Dockerfile target and the console script its CMD runs."""
    result = {}
    for name in dockerfile.final_stages(stages):
        cmd = dockerfile.last(stages, name, "CMD")
        assert cmd, f"target {name} has no CMD"
        argv = dockerfile.exec_form(cmd)
        assert argv[0] in scripts(), f"target {name}: CMD {argv} is no declared console script"
        result[name] = scripts()[argv[0]]
    return result


@pytest.fixture(scope="session")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="session")
def compose(compose_text: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(compose_text)
    return document


@pytest.fixture(scope="session")
def compose_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(COMPOSE_SCHEMA.read_text())
    return schema


@pytest.fixture(scope="session")
def atlas_services(compose: dict[str, Any], targets: dict[str, Script]) -> dict[str, Any]:
    """Compose services built from this repository's Dockerfile."""
    built = {n: s for n, s in compose["services"].items() if "build" in s}
    for name, service in built.items():
        assert service["build"].get("target") in targets, f"{name}: unknown build target"
    return built


@pytest.fixture(scope="session")
def kustomization() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    return document


@pytest.fixture(scope="session")
def k8s_docs(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object the kustomize base applies."""
    return [doc for f in kustomization["resources"] for doc in load_yaml_documents(K8S_DIR / f)]
