"""deploy/k8s: parseable, complete, hardened, and consistent with the images and settings."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from atlas_common.bus import names
from atlas_common.settings import CommonSettings
from tests.deploy.layout import K8S_DIR, load_yaml_documents, of_kind
from tests.deploy.workspace import Script, settings_env_names

SECRET_TEMPLATE = K8S_DIR / "secret.template.yaml"
MANIFESTS = sorted(p for p in K8S_DIR.rglob("*.yaml") if p.name != "kustomization.yaml")
_PLACEHOLDER = re.compile(r"REPLACE_WITH_[A-Z0-9_]+")
_SECRET_LOOKING = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
#: Deployments with two or more replicas, each under a PodDisruptionBudget.
DISRUPTION_BUDGETED = {"gateway", "query-worker", "auth", "keys", "entitlements", "query-api"}
#: A worker past its shutdown grace: 2 s for the requeue, then closing; with room to spare.
WORKER_CLOSE_S = 10
#: uvicorn's timeout_graceful_shutdown in atlas_common.service.run_service.
HTTP_DRAIN_S = 5
HTTP_CLOSE_S = 5


def secret_problems(values: dict[str, str]) -> list[str]:
    """Secret values that are not clearly placeholders, or that look like real secrets."""
    problems = []
    for key, value in values.items():
        if not _PLACEHOLDER.search(value):
            problems.append(f"{key}: no REPLACE_WITH_ placeholder")
        if _SECRET_LOOKING.search(_PLACEHOLDER.sub("", value)):
            problems.append(f"{key}: holds a secret-looking string")
    return problems


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return found


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: str(p.relative_to(K8S_DIR)))
def test_manifest_documents_are_named_objects(path: Any) -> None:
    docs = load_yaml_documents(path)
    assert docs
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind"), path
        assert doc.get("metadata", {}).get("name"), f"{path}: {doc['kind']} without a name"


def test_kustomization_lists_every_base_manifest_but_the_secret(
    kustomization: dict[str, Any],
) -> None:
    top_level = {p.name for p in MANIFESTS if p.parent == K8S_DIR}
    assert set(kustomization["resources"]) == top_level - {SECRET_TEMPLATE.name}
    assert kustomization["namespace"] == "atlas"


def test_every_deployment_runs_a_known_process(
    k8s_docs: list[dict[str, Any]], targets: dict[str, Script], kustomization: dict[str, Any]
) -> None:
    images = set()
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        for container in containers(deployment):
            repository = container["image"].rsplit("/", 1)[-1].split(":")[0].split("@")[0]
            assert repository in targets, f"{name}: image {container['image']} is no target"
            assert container.get("command", [targets[repository].name]) == [
                targets[repository].name
            ], f"{name}: command is not the target's console script"
            images.add(container["image"].split(":")[0])
    assert images == {i["name"] for i in kustomization["images"]}
    assert {f"atlas/{t}" for t in targets} == images, "one Deployment per process"


def test_every_deployment_has_probes_resources_and_a_locked_down_context(
    k8s_docs: list[dict[str, Any]],
) -> None:
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod.get("automountServiceAccountToken") is False, name
        for container in containers(deployment):
            assert container.get("readinessProbe") and container.get("livenessProbe"), name
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), (name, kind)
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{name}: read-only root needs a writable /tmp"


def test_http_deployments_probe_healthz_behind_a_matching_service(
    k8s_docs: list[dict[str, Any]],
) -> None:
    services = of_kind(k8s_docs, "Service")
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        (container,) = containers(deployment)
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        if "http" not in ports:  # the worker serves only /metrics
            continue
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] == "/healthz", (name, probe)
            assert container[probe]["httpGet"]["port"] in ports, (name, probe)
        service = services[name]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items(), name
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= set(ports), name


def test_scraped_pods_serve_metrics_on_the_annotated_port(
    k8s_docs: list[dict[str, Any]],
) -> None:
    """Prometheus' kubernetes-pods job (deploy/observability/prometheus.yml) scrapes the port a
    pod's annotation names: the gateway's and the worker's own metrics listener (never the
    public port), the internal services' HTTP port."""
    scraped = set()
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/scrape") != "true":
            continue
        scraped.add(name)
        (container,) = containers(deployment)
        port = int(annotations["prometheus.io/port"])
        assert port in {p["containerPort"] for p in container.get("ports", [])}, name
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        if name in ("atlas-gateway", "atlas-query-worker"):
            assert env["ATLAS_METRICS_PORT"] == str(port) and port != 8000, name
            assert env["ATLAS_METRICS_HOST"] == "0.0.0.0", name
    assert {"atlas-gateway", "atlas-query-worker", "atlas-auth", "atlas-keys",
            "atlas-entitlements", "atlas-query-api"} <= scraped


def test_worker_probes_follow_the_heartbeat_contract(k8s_docs: list[dict[str, Any]]) -> None:
    (worker,) = containers(of_kind(k8s_docs, "Deployment")["atlas-query-worker"])
    assert [p["name"] for p in worker["ports"]] == ["metrics"]  # no HTTP API of its own
    env = {e["name"]: e["value"] for e in worker["env"]}
    assert env["ATLAS_WORKER_HEARTBEAT_DIR"] == "/tmp/atlas-worker-heartbeats"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        # The worker's own check: its heartbeat file, stale after ATLAS_WORKER_STALE_S.
        assert worker[probe]["exec"]["command"] == ["atlas-query-worker", "--check"], probe


def test_worker_scales_on_the_query_queue_with_keda(k8s_docs: list[dict[str, Any]]) -> None:
    deployment = of_kind(k8s_docs, "Deployment")["atlas-query-worker"]
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    (scaled,) = of_kind(k8s_docs, "ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"]["name"] == "atlas-query-worker"
    assert 1 <= scaled["spec"]["minReplicaCount"] < scaled["spec"]["maxReplicaCount"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["queueName"] == names.QUERY_REQUESTED
    assert trigger["metadata"]["mode"] == "QueueLength"
    # Over AMQP: the URL the workers use (its path is the vhost), no management plugin.
    assert trigger["metadata"]["protocol"] == "amqp"
    config = of_kind(k8s_docs, "ConfigMap")["atlas-config"]["data"]
    assert trigger["metadata"]["value"] == config["ATLAS_QUERY_CONCURRENCY"], "README: the wait"
    auth = of_kind(k8s_docs, "TriggerAuthentication")[trigger["authenticationRef"]["name"]]
    (ref,) = auth["spec"]["secretTargetRef"]
    (secret,) = load_yaml_documents(SECRET_TEMPLATE)
    assert (ref["parameter"], ref["name"]) == ("host", secret["metadata"]["name"])
    assert ref["key"] == "ATLAS_RABBITMQ_URL" and ref["key"] in secret["stringData"]


def test_worker_scale_down_is_gentle_and_no_cpu_autoscaler_fights_keda(
    k8s_docs: list[dict[str, Any]],
) -> None:
    (scaled,) = of_kind(k8s_docs, "ScaledObject").values()
    down = scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
    assert down["stabilizationWindowSeconds"] >= 120
    assert all(p["type"] == "Pods" and p["value"] == 1 for p in down["policies"])
    targets = [
        h["spec"]["scaleTargetRef"]["name"]
        for h in of_kind(k8s_docs, "HorizontalPodAutoscaler").values()
    ]
    assert "atlas-query-worker" not in targets, "two autoscalers on one Deployment fight"
    assert not of_kind(k8s_docs, "ScaledJob"), "long-lived consumers, not a job per message"


def test_gateway_scales_on_cpu(k8s_docs: list[dict[str, Any]]) -> None:
    assert "replicas" not in of_kind(k8s_docs, "Deployment")["atlas-gateway"]["spec"]
    (hpa,) = of_kind(k8s_docs, "HorizontalPodAutoscaler").values()
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "atlas-gateway",
    }
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


@pytest.mark.parametrize("component", sorted(DISRUPTION_BUDGETED))
def test_replicated_services_have_a_disruption_budget_that_allows_a_drain(
    k8s_docs: list[dict[str, Any]], component: str
) -> None:
    deployment = of_kind(k8s_docs, "Deployment")[f"atlas-{component}"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    budgets = [
        b
        for b in of_kind(k8s_docs, "PodDisruptionBudget").values()
        if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    assert len(budgets) == 1, f"{component}: {len(budgets)} budgets"
    spec = budgets[0]["spec"]
    # maxUnavailable 1 always lets one pod go; a minAvailable equal to the replicas never does.
    assert spec.get("maxUnavailable") == 1 and "minAvailable" not in spec, component
    assert spec["unhealthyPodEvictionPolicy"] == "AlwaysAllow", "a crash loop blocks no drain"
    assert deployment["spec"].get("replicas", 2) >= 2, f"{component}: one replica, no budget"


def test_worker_grace_lets_a_job_reach_its_deadline(k8s_docs: list[dict[str, Any]]) -> None:
    deployment = of_kind(k8s_docs, "Deployment")["atlas-query-worker"]
    (worker,) = containers(deployment)
    env = {e["name"]: e["value"] for e in worker["env"]}
    config = of_kind(k8s_docs, "ConfigMap")["atlas-config"]["data"]
    deadline = CommonSettings(ATLAS_QUERY_DEADLINE_S=config["ATLAS_QUERY_DEADLINE_S"])
    grace = float(env["ATLAS_WORKER_SHUTDOWN_GRACE_S"])
    assert grace >= deadline.query_deadline_s, "a job in hand may run to its deadline"
    # + the requeue of what is left (2 s) and closing the connections.
    pod = deployment["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] >= grace + WORKER_CLOSE_S


def test_http_services_sleep_before_stopping_within_their_grace(
    k8s_docs: list[dict[str, Any]],
) -> None:
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        component = name.removeprefix("atlas-")
        if component not in DISRUPTION_BUDGETED - {"query-worker"}:
            continue
        (container,) = containers(deployment)
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep", name
        grace = deployment["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
        # preStop, then uvicorn's graceful shutdown (atlas_common.service.run_service), then
        # the lifespan closing its connections.
        assert grace >= float(command[1]) + HTTP_DRAIN_S + HTTP_CLOSE_S, name


def test_claimed_volumes_exist(k8s_docs: list[dict[str, Any]]) -> None:
    claims = of_kind(k8s_docs, "PersistentVolumeClaim")
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        for volume in deployment["spec"]["template"]["spec"].get("volumes", []):
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            assert claim is None or claim in claims, f"{name}: no claim {claim}"


def test_configmap_urls_name_services_and_their_ports(k8s_docs: list[dict[str, Any]]) -> None:
    services = of_kind(k8s_docs, "Service")
    ports = {n: s["spec"]["ports"][0]["port"] for n, s in services.items()}
    config = of_kind(k8s_docs, "ConfigMap")["atlas-config"]["data"]
    urls = {k: urlsplit(v) for k, v in config.items() if k.endswith("_URL")}
    assert urls
    for key, url in urls.items():
        assert ports.get(url.hostname or "") == url.port, f"{key}: {url.geturl()}"


def test_environment_names_are_read_by_the_processes(
    k8s_docs: list[dict[str, Any]], targets: dict[str, Script]
) -> None:
    known = set().union(*(settings_env_names(s.package) for s in targets.values()))
    shared = set(of_kind(k8s_docs, "ConfigMap")["atlas-config"]["data"])
    shared |= set(load_yaml_documents(SECRET_TEMPLATE)[0]["stringData"])
    assert not shared - known, f"set but read by no process: {sorted(shared - known)}"
    for name, deployment in of_kind(k8s_docs, "Deployment").items():
        (container,) = containers(deployment)
        own = {e["name"] for e in container.get("env", [])}
        read = settings_env_names(targets[container["name"]].package)
        assert not own - read, f"{name} sets unread {sorted(own - read)}"


def test_secret_template_holds_only_placeholders() -> None:
    (secret,) = load_yaml_documents(SECRET_TEMPLATE)
    assert secret["kind"] == "Secret" and "data" not in secret
    assert secret_problems(secret["stringData"]) == []


def test_secret_check_flags_a_real_looking_secret() -> None:
    token = "q3Zk9vX2LmP8wR4tY7uJ1nB6cD0eF5gHs"  # the shape of a generated token
    assert secret_problems({"ATLAS_INTERNAL_TOKEN": token})
    assert secret_problems({"DATABASE_URL": f"postgresql://a:REPLACE_WITH_X{token}@h/db"})


def test_unfilled_internal_token_stops_a_production_start() -> None:
    (secret,) = load_yaml_documents(SECRET_TEMPLATE)
    placeholder = secret["stringData"]["ATLAS_INTERNAL_TOKEN"]
    with pytest.raises(ValidationError, match="ATLAS_INTERNAL_TOKEN"):
        CommonSettings(ATLAS_ENV="production", ATLAS_INTERNAL_TOKEN=placeholder)
