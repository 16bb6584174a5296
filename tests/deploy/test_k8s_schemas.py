"""deploy/k8s against the Kubernetes and KEDA schemas, as kustomize builds it, offline.

Kubernetes kinds: kubernetes-validate's strict schemas (unknown fields refused), for the oldest
Kubernetes the README supports and the newest the package ships. KEDA kinds: the CRDs'
``openAPIV3Schema`` kept in tests/deploy/schemas/ (README there), made strict the way the API
server's field validation is. The build is done here in Python (the few kustomize features the
files use); where ``kubectl`` exists, its ``kustomize`` build must be the same objects.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, latest_version

from tests.deploy.layout import K8S_DIR, load_yaml_documents

SCHEMAS = Path(__file__).parent / "schemas" / "keda-2.20.2"
NO_KEDA = K8S_DIR / "components" / "no-keda"
#: The oldest Kubernetes deploy/k8s/README.md supports, and the newest the validator knows.
K8S_VERSIONS = ("1.29", ".".join(latest_version().split(".")[:2]))
CLUSTER_SCOPED = {"Namespace"}
_KNOWN_FIELDS = {
    "apiVersion",
    "kind",
    "namespace",
    "labels",
    "resources",
    "images",
    "components",
    "patches",
}

Obj = dict[str, Any]


# -- the build ----------------------------------------------------------------------------------


def build(root: Path, components: Iterable[Path] = ()) -> list[Obj]:
    """The objects ``kustomize build`` makes of ``root`` (+ ``components``), for the fields
    these kustomizations use; any other field fails loudly rather than being ignored."""
    spec = yaml.safe_load((root / "kustomization.yaml").read_text())
    assert set(spec) <= _KNOWN_FIELDS, f"unsupported: {set(spec) - _KNOWN_FIELDS}"
    objects = [d for f in spec.get("resources", []) for d in load_yaml_documents(root / f)]
    for obj in objects:
        _transform(obj, spec)
    for component in [*(root / c for c in spec.get("components", [])), *components]:
        objects = _apply_component(component, objects)
    return objects


def _transform(obj: Obj, spec: dict[str, Any]) -> None:
    if spec.get("namespace") and obj["kind"] not in CLUSTER_SCOPED:
        obj["metadata"]["namespace"] = spec["namespace"]
    for group in spec.get("labels", []):
        assert set(group) == {"pairs"}, "only metadata labels (no selectors, no templates)"
        obj["metadata"].setdefault("labels", {}).update(group["pairs"])
    for container in _containers(obj):
        for image in spec.get("images", []):
            if container["image"] == image["name"]:
                container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"


def _containers(obj: Obj) -> list[Obj]:
    found: list[Obj] = obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    return found


def _apply_component(root: Path, objects: list[Obj]) -> list[Obj]:
    spec = yaml.safe_load((root / "kustomization.yaml").read_text())
    assert spec["kind"] == "Component" and set(spec) <= {"apiVersion", "kind", "patches"}
    for patch in spec["patches"]:
        body = yaml.safe_load(patch["patch"])
        if isinstance(body, dict):  # strategic merge: only deletions are used
            assert body.pop("$patch") == "delete", patch
            kept = [o for o in objects if _key(o) != _key(body)]
            assert len(kept) == len(objects) - 1, f"nothing to delete: {_key(body)}"
            objects = kept
        else:
            (target,) = [o for o in objects if _matches(o, patch["target"])]
            _json_patch(target, body)
    return objects


def _key(obj: Obj) -> tuple[str, str, str]:
    return obj["apiVersion"], obj["kind"], obj["metadata"]["name"]


def _matches(obj: Obj, target: dict[str, str]) -> bool:
    group, _, version = obj["apiVersion"].rpartition("/")
    wanted = {
        "group": group,
        "version": version,
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
    }
    return all(wanted[k] == v for k, v in target.items())


def _json_patch(obj: Obj, operations: list[dict[str, Any]]) -> None:
    for op in operations:
        *parents, last = op["path"].strip("/").split("/")
        node = obj
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert op["op"] in {"add", "replace"}, op
        node[last] = op["value"]


@cache
def base_objects() -> tuple[Obj, ...]:
    return tuple(build(K8S_DIR))


@cache
def no_keda_objects() -> tuple[Obj, ...]:
    return tuple(build(K8S_DIR, [NO_KEDA]))


# -- the validator ------------------------------------------------------------------------------


def strict(schema: Any) -> Any:
    """A CRD schema as the API server's strict field validation applies it: an object schema
    with ``properties`` accepts no other field, unless it preserves unknown fields."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {k: strict(v) for k, v in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    return result


@cache
def crd_schema(api_version: str, kind: str) -> Any:
    group, _, version = api_version.partition("/")
    path = SCHEMAS / f"{kind.lower()}-{group.split('.')[0]}-{version}.json"
    if not path.exists():
        raise SchemaNotFoundError(kind=kind, version="keda", api_version=api_version)
    return strict(json.loads(path.read_text()))


def validate(obj: Obj, k8s_version: str) -> None:
    """Raise a ``jsonschema.ValidationError`` (kubernetes-validate's is one) if ``obj`` does
    not fit its kind's schema, ``SchemaNotFoundError`` if no schema knows the kind."""
    if obj["apiVersion"].startswith("keda.sh/"):
        jsonschema.Draft202012Validator(crd_schema(obj["apiVersion"], obj["kind"])).validate(obj)
    else:
        kubernetes_validate.validate(obj, k8s_version, strict=True)


def _ids(objects: Iterable[Obj]) -> list[str]:
    return [f"{o['kind']}/{o['metadata']['name']}" for o in objects]


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("obj", base_objects(), ids=_ids(base_objects()))
def test_every_object_of_the_base_fits_its_schema(obj: Obj, version: str) -> None:
    validate(obj, version)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_object_without_keda_fits_its_schema(version: str) -> None:
    for obj in no_keda_objects():
        validate(obj, version)


def test_the_secret_template_fits_its_schema() -> None:
    for version in K8S_VERSIONS:
        for obj in load_yaml_documents(K8S_DIR / "secret.template.yaml"):
            validate(obj, version)


def test_the_base_scales_workers_with_keda_and_the_component_without() -> None:
    kinds = {(o["kind"], o["metadata"]["name"]) for o in base_objects()}
    assert {
        ("ScaledObject", "atlas-query-worker"),
        ("TriggerAuthentication", "atlas-rabbitmq"),
    } <= kinds
    plain = {_key(o): o for o in copy.deepcopy(no_keda_objects())}
    assert not [k for k in plain if k[0].startswith("keda.sh/")]
    worker = plain["apps/v1", "Deployment", "atlas-query-worker"]
    assert worker["spec"]["replicas"] >= 1, "without KEDA the count is fixed"
    # Everything else is the base, untouched.
    others = {_key(o): o for o in base_objects() if not o["apiVersion"].startswith("keda.sh/")}
    del worker["spec"]["replicas"]
    assert others == plain


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed")
def test_the_python_build_is_what_kustomize_builds(tmp_path: Path) -> None:
    assert _kustomize(K8S_DIR) == _by_key(base_objects())
    # kustomize refuses an overlay inside the base it loads: the overlay lives in tmp_path.
    relative = os.path.relpath(K8S_DIR, tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump({"resources": [relative], "components": [f"{relative}/components/no-keda"]})
    )
    assert _kustomize(tmp_path) == _by_key(no_keda_objects())


def _kustomize(root: Path) -> dict[tuple[str, str, str], Obj]:
    built = subprocess.run(
        ["kubectl", "kustomize", str(root)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return _by_key(d for d in yaml.safe_load_all(built) if d)


def _by_key(objects: Iterable[Obj]) -> dict[tuple[str, str, str], Obj]:
    return {_key(o): o for o in objects}


# -- the validator can fail ---------------------------------------------------------------------


def _find(kind: str, name: str) -> Obj:
    (obj,) = [o for o in base_objects() if (o["kind"], o["metadata"]["name"]) == (kind, name)]
    return copy.deepcopy(obj)


def _breakages() -> list[tuple[str, Obj, str]]:
    """(what is wrong, the object, a fragment of the validator's message)."""
    deployment = _find("Deployment", "atlas-query-worker")
    scaled = _find("ScaledObject", "atlas-query-worker")
    cases = []
    bad = copy.deepcopy(deployment)
    bad["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = "140s"
    cases.append(("Deployment: a number as a string", bad, "is not of type 'integer'"))
    bad = copy.deepcopy(deployment)
    bad["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}  # misspelt
    cases.append(("Deployment: an unknown field", bad, "'readinesProbe' was unexpected"))
    bad = copy.deepcopy(scaled)
    bad["spec"]["triggers"][0]["metadata"]["value"] = 4  # KEDA wants strings there
    cases.append(("ScaledObject: trigger metadata not a string", bad, "is not of type 'string'"))
    bad = copy.deepcopy(scaled)
    bad["spec"]["maxReplicas"] = 20  # the HPA's name, not KEDA's maxReplicaCount
    cases.append(("ScaledObject: an unknown spec field", bad, "'maxReplicas' was unexpected"))
    bad = _find("TriggerAuthentication", "atlas-rabbitmq")
    del bad["spec"]["secretTargetRef"][0]["key"]
    cases.append(("TriggerAuthentication: a required field missing", bad, "'key' is a required"))
    bad = copy.deepcopy(scaled)
    bad["apiVersion"] = "keda.sh/v1"
    cases.append(("ScaledObject: an apiVersion KEDA does not serve", bad, "Couldn't find schema"))
    return cases


@pytest.mark.parametrize(("case", "obj", "message"), _breakages(), ids=[c[0] for c in _breakages()])
def test_a_broken_manifest_fails_the_validator(case: str, obj: Obj, message: str) -> None:
    with pytest.raises((jsonschema.ValidationError, SchemaNotFoundError)) as caught:
        validate(obj, K8S_VERSIONS[0])
    assert message in caught.value.message, case
