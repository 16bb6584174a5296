"""docs/asyncapi.yaml: current (regenerated in memory and compared), valid AsyncAPI 3.0.0
(against the official JSON Schema kept in tests/common/schemas/), every bus message in it, its
payload schemas accept what Atlas publishes, and its publisher / consumer catalogue matches
the services' code."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from atlas_common.asyncapi import build, catalogue, render
from atlas_common.asyncapi.__main__ import main as generator_main
from atlas_common.bus import names
from atlas_common.messages import MESSAGE_TYPES, parse_message
from atlas_common.principal import Principal

ROOT = Path(__file__).resolve().parents[2]
DOC_PATH = ROOT / "docs" / "asyncapi.yaml"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json"
SERVICE_DIRS = {
    "gateway": "gateway",
    "auth": "auth",
    "keys": "keys",
    "entitlements": "entitlements",
    "query-worker": "query",
    "scheduler": "scheduler",
    "audit": "audit",
}

#: One message of each type as its publisher writes it.
EXAMPLES: dict[str, dict[str, Any]] = {
    "query.requested": {
        "request_id": "r1",
        "question": "revenue by month?",
        "principal": Principal(user_id="u1").model_dump(mode="json"),
        "history": [{"role": "user", "content": "hi"}],
        "deadline": 1_900_000_000.0,
    },
    "query.answered": {
        "request_id": "r1",
        "user_id": "u1",
        "workspace_id": "ws-1",
        "role": "analyst",
        "auth_mode": "managed",
        "surface": "scheduled",
        "question": "revenue by month?",
        "sql": ["SELECT month, sum(total) FROM orders WHERE tenant_id = 'ws-1' LIMIT 1000"],
        "tables": ["orders"],
        "row_count": 12,
        "duration_ms": 840,
        "outcome": "answered",
        "tokens": 0,
        "answered_by": "semantic",
    },
    "key.created": {
        "key_id": "3f9a2c0000000000",
        "workspace_id": "ws-1",
        "name": "ci",
        "role": "viewer",
        "actor_id": "u1",
    },
    "key.revoked": {"key_id": "3f9a2c0000000000", "workspace_id": "ws-1", "actor_id": "u1"},
    "user.created": {"user_id": "u2", "workspace_id": "ws-1", "role": "viewer", "actor_id": "u1"},
    "session.revoked": {"session_id": "s1", "user_id": "u1"},
    "user.role_changed": {"user_id": "u1", "role": "admin", "workspace_id": "ws-1"},
    "user.claims_changed": {
        "user_id": "u2",
        "workspace_id": "ws-1",
        "claims": {"tenant_id": "acme", "region": ["eu", "us"]},
        "actor_id": "u1",
    },
    "user.deactivated": {"user_id": "u1", "workspace_id": "ws-1", "actor_id": "u9"},
    "subscription.changed": {"customer_id": "ws-1", "version": 7, "plan": "team"},
    "usage.recorded": {
        "customer_id": "ws-1",
        "feature": "llm-tokens",
        "amount": 120,
        "idempotency_key": "r1:0",
        "request_id": "r1",
        "details": {"model": "m"},
    },
}


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))
    return loaded


def asyncapi_errors(doc: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_the_file_is_what_the_models_give_now() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/asyncapi.yaml is stale: run .venv/bin/python -m atlas_common.asyncapi"
    )


def test_generation_is_deterministic() -> None:
    assert render() == render(copy.deepcopy(build()))


def test_check_flag_says_stale_or_current(tmp_path: Path) -> None:
    target = tmp_path / "asyncapi.yaml"
    assert generator_main([str(target)]) == 0
    assert generator_main(["--check", str(target)]) == 0
    target.write_text(target.read_text() + "# hand edit\n")
    assert generator_main(["--check", str(target)]) == 1


def test_the_document_is_valid_asyncapi_3() -> None:
    assert document()["asyncapi"] == "3.0.0"
    assert asyncapi_errors(document()) == []


@pytest.mark.parametrize(
    "path, value",
    [
        (("channels", "events.key.revoked", "bindings", "amqp", "exchange", "type"), "fanout-ish"),
        (("operations", "keys.send.key.revoked", "action"), "publish"),
        (("components", "messages", "KeyRevoked", "bindings", "amqp", "deliveryMode"), 2),
    ],
)
def test_the_validator_sees_a_broken_document(path: tuple[str, ...], value: Any) -> None:
    """The schema is not vacuous: bindings, operations and messages are all checked."""
    broken = copy.deepcopy(document())
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert asyncapi_errors(broken)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_reference_resolves() -> None:
    refs = _refs(document())
    assert len(refs) > 40
    for ref in refs:
        assert ref.startswith("#/"), ref
        assert _resolve(document(), ref) is not None, ref


def test_every_message_type_is_in_the_document() -> None:
    messages = document()["components"]["messages"]
    assert {m["name"] for m in messages.values()} == set(MESSAGE_TYPES) == set(EXAMPLES)
    sent = {
        op["messages"][0]["$ref"].rsplit("/", 1)[1]
        for op in document()["operations"].values()
        if op["action"] == "send"
    }
    addresses = {c["address"] for c in document()["channels"].values()}
    for key, cls in MESSAGE_TYPES.items():
        message = messages[cls.__name__]
        assert message["bindings"]["amqp"]["messageType"] == key
        payload = _resolve(document(), message["payload"]["$ref"])
        assert payload["properties"]["type"]["const"] == key
        assert {"type", "event_id", "occurred_at", "schema_version"} <= set(payload["required"])
        assert cls.__name__ in sent, f"nobody sends {key}"
        assert key in addresses


def test_queue_arguments_are_in_the_document() -> None:
    query = document()["channels"]["queue.query.requested"]["bindings"]["amqp"]
    assert query["x-arguments"]["x-max-length"] == names.QUERY_QUEUE_MAX_LENGTH
    assert query["x-arguments"]["x-overflow"] == "reject-publish"
    assert query["x-arguments"]["x-dead-letter-exchange"] == names.JOBS_DLX
    assert query["queue"]["durable"] is True
    usage = document()["channels"]["queue.entitlements.usage.recorded"]["bindings"]["amqp"]
    assert usage["x-bindings"] == [
        {"exchange": names.EVENTS_EXCHANGE, "routingKey": names.USAGE_RECORDED}
    ]


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_payload_schema_accepts_what_atlas_publishes(key: str) -> None:
    cls = MESSAGE_TYPES[key]
    body = json.loads(cls.model_validate(EXAMPLES[key]).model_dump_json())
    assert parse_message(json.dumps(body)).type == key
    validator = _payload_validator(cls.__name__)
    assert list(validator.iter_errors(body)) == []
    for missing in ("type", "event_id", "occurred_at"):
        assert list(validator.iter_errors({k: v for k, v in body.items() if k != missing}))
    assert list(validator.iter_errors({**body, "event_id": 42}))


def _payload_validator(name: str) -> jsonschema.Draft202012Validator:
    schema = {
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": document()["components"]["schemas"]},
    }
    return jsonschema.Draft202012Validator(schema)


def _source(service: str) -> str:
    src = ROOT / "services" / SERVICE_DIRS[service] / "src"
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(src.rglob("*.py")))


def _constant(value: str) -> str:
    return next(k for k, v in vars(names).items() if v == value and k.isupper())


def test_publishers_are_the_services_that_build_each_message() -> None:
    for key, cls in MESSAGE_TYPES.items():
        builders = {s for s in SERVICE_DIRS if re.search(rf"\b{cls.__name__}\(", _source(s))}
        assert builders == {p.service for p in catalogue.PUBLISHERS[key]}, key


def test_outbox_publishers_write_to_their_outbox() -> None:
    for key, publishers in catalogue.PUBLISHERS.items():
        for publisher in publishers:
            source = _source(publisher.service)
            via_outbox = "outbox.enqueue(" in source and MESSAGE_TYPES[key].__name__ in source
            assert via_outbox == (publisher.how == "outbox"), (key, publisher.service)


#: ``bus.consume(names.X, ...)``, or a consumer of its own on ``declare_queue(..., names.X, ...)``
#: (the audit service's batched consumer).
_CONSUMES = r"(?:\.consume\(\s*|declare_queue\(\s*\w+,\s*)names\.([A-Z_]+)\b"


def test_consumers_are_the_services_that_consume_each_queue() -> None:
    for consumer in catalogue.CONSUMERS:
        source = _source(consumer.service)
        assert _constant(consumer.queue) in re.findall(_CONSUMES, source), consumer
        assert (consumer.settles is None) == (".consume(names." in source), consumer
    consumed = {q for s in SERVICE_DIRS for q in re.findall(_CONSUMES, _source(s))}
    assert consumed == {_constant(c.queue) for c in catalogue.CONSUMERS}


def test_per_process_subscriptions_match_the_code() -> None:
    holders = {s for s in SERVICE_DIRS if re.search(r"entitlements\.attach\(", _source(s))}
    by_id = {sub.id: sub for sub in catalogue.SUBSCRIPTIONS}
    assert set(by_id["entitlementsCache"].services) == holders
    gateway = _source("gateway")
    assert "subscribe_events(names.PRINCIPAL_INVALIDATION_EVENTS" in gateway
    assert by_id["principalInvalidations"].routing_keys == names.PRINCIPAL_INVALIDATION_EVENTS


def test_the_bodies_in_docs_events_are_valid_messages() -> None:
    """docs/events.md shows bodies to copy: each parses and matches its schema."""
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    bodies = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S)]
    assert {b["type"] for b in bodies} == {
        "subscription.changed",
        "key.revoked",
        "usage.recorded",
        "query.answered",
        "key.created",
        "user.created",
    }
    for body in bodies:
        assert parse_message(json.dumps(body)).event_id == body["event_id"]
        name = MESSAGE_TYPES[body["type"]].__name__
        assert list(_payload_validator(name).iter_errors(body)) == []


@pytest.mark.parametrize("key", ["query.answered", "key.created", "user.created"])
def test_the_example_bodies_in_examples_events_are_valid_messages(key: str) -> None:
    body = json.loads((ROOT / "examples" / "events" / f"{key}.json").read_text(encoding="utf-8"))
    assert parse_message(json.dumps(body)).type == key
    assert list(_payload_validator(MESSAGE_TYPES[key].__name__).iter_errors(body)) == []
