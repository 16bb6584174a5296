"""docker-compose.yml: valid per the Compose Specification, wired, healthy, scalable."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.deploy.layout import CLIENT_PROCESSES, HTTP_PORTS
from tests.deploy.workspace import Script, interpolate, interpolated_names_without_default


def schema_errors(document: Any, schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def scaling_problems(service: dict[str, Any]) -> list[str]:
    """Why `docker compose up --scale <service>=N` would fail for this service."""
    problems: list[str] = [k for k in ("container_name", "hostname") if k in service]
    for port in service.get("ports", []):
        text = port if isinstance(port, str) else str(port.get("published", ""))
        if ":" in str(text) or (isinstance(port, dict) and port.get("published")):
            problems.append(f"fixed host port {port}")
    return problems


def test_schema_is_the_compose_specification(compose_schema: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(compose_schema)
    assert compose_schema["title"] == "Compose Specification"
    assert "service" in compose_schema["definitions"]


def test_compose_file_validates_against_the_specification(
    compose: dict[str, Any], compose_schema: dict[str, Any]
) -> None:
    assert schema_errors(compose, compose_schema) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["services"]["gateway"].update(buidl={"context": "."}),
        lambda d: d["services"]["gateway"]["depends_on"]["auth"].update(condition="ready"),
        lambda d: d["services"]["redis"]["healthcheck"].update(interval=5),
        lambda d: d.update(volume={"demo-data": None}),
    ],
    ids=["unknown-key", "bad-condition", "bad-type", "unknown-top-level"],
)
def test_schema_check_rejects_a_broken_document(
    compose: dict[str, Any], compose_schema: dict[str, Any], breakage: Any
) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert schema_errors(broken, compose_schema)


def test_build_targets_are_dockerfile_stages(
    atlas_services: dict[str, Any], targets: dict[str, Script]
) -> None:
    assert {s["build"]["target"] for s in atlas_services.values()} == set(targets)
    for name, service in atlas_services.items():
        assert service["build"]["context"] == "."
        assert service["build"]["target"] == name, "service named after its process"
        assert service["image"].startswith(f"atlas/{name}:")


def test_every_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", sorted(HTTP_PORTS))
def test_http_process_healthcheck_hits_healthz_on_its_port(
    compose: dict[str, Any], name: str
) -> None:
    test = " ".join(compose["services"][name]["healthcheck"]["test"])
    assert f"127.0.0.1:{HTTP_PORTS[name]}/healthz" in test


def test_worker_healthcheck_follows_the_heartbeat_contract(compose: dict[str, Any]) -> None:
    worker = compose["services"]["query-worker"]
    assert worker["environment"]["ATLAS_WORKER_HEARTBEAT_DIR"] == "/tmp/atlas-worker-heartbeats"
    assert worker["healthcheck"]["test"] == ["CMD", "atlas-query-worker", "--check"]


def test_dependencies_wait_for_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert rule == {"condition": "service_healthy"}, f"{name} -> {dependency}"
    assert set(HTTP_PORTS) - {"gateway"} <= set(services["gateway"]["depends_on"])


def test_only_the_gateway_is_published_on_loopback_by_default(compose: dict[str, Any]) -> None:
    published = {n: s["ports"] for n, s in compose["services"].items()
                 if s.get("ports") and not s.get("profiles")}  # a profile is not up by default
    assert list(published) == ["gateway"]
    assert [interpolate(p) for p in published["gateway"]] == ["127.0.0.1:8000:8000"]


def test_query_worker_can_scale(compose: dict[str, Any]) -> None:
    assert scaling_problems(compose["services"]["query-worker"]) == []


def test_scaling_check_catches_fixed_names_and_ports() -> None:
    assert scaling_problems({"container_name": "w", "ports": ["9000:9000"]}) == [
        "container_name",
        "fixed host port 9000:9000",
    ]


def test_internal_urls_name_services_and_their_ports(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if not (key.startswith("ATLAS_") and key.endswith("_URL") and "://" in str(value)):
                continue
            url = urlsplit(interpolate(str(value)))
            if url.scheme != "http":
                continue
            expected = HTTP_PORTS.get(url.hostname or "")
            assert expected == url.port, f"{name}: {key}={value} names no Atlas HTTP service"


def test_internal_token_comes_from_the_environment_with_the_dev_default(
    atlas_services: dict[str, Any],
) -> None:
    for name, service in atlas_services.items():
        if name in CLIENT_PROCESSES:  # a client of the gateway must never hold it
            assert "ATLAS_INTERNAL_TOKEN" not in service["environment"], name
            continue
        value = service["environment"]["ATLAS_INTERNAL_TOKEN"]
        assert value.startswith("${ATLAS_INTERNAL_TOKEN:-"), name
        # The same default the settings refuse in production: it can never ship by mistake.
        assert interpolate(value) == DEV_INTERNAL_TOKEN
        assert interpolate(value, {"ATLAS_INTERNAL_TOKEN": "x" * 40}) == "x" * 40


def test_every_interpolation_has_a_default(compose_text: str) -> None:
    assert interpolated_names_without_default(compose_text) == []


def test_demo_database_is_on_a_volume_shared_by_worker_and_query_api(
    compose: dict[str, Any],
) -> None:
    for name in ("query-worker", "query-api"):
        service = compose["services"][name]
        assert service["environment"]["ATLAS_DEMO_DB_PATH"] == "/data/demo.duckdb"
        mounts = [v.split(":") for v in service["volumes"]]
        assert mounts[0][:2] == ["demo-data", "/data"], name
    assert "demo-data" in compose["volumes"]
