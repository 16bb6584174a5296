"""deploy/observability: every file parses, rules and dashboard use metrics Atlas defines.

With ``promtool`` installed (Debian: ``apt-get install prometheus``) the alert rules and the
scrape configuration are checked by Prometheus's own parser (PromQL included); without it the
structural checks still run. Debian's build has no Kubernetes service discovery, so promtool
checks the configuration without the ``kubernetes-pods`` job, whose relabelling is checked
here. That every metric name exists on a running stack is tests/e2e/test_metrics.py's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import atlas_common.metrics  # noqa: F401 - registers the atlas_* metrics
from tests.deploy.workspace import ROOT

OBS = ROOT / "deploy" / "observability"
METRIC = re.compile(r"\batlas_[a-z_]+\b")
#: promtool from Debian's prometheus package, unpacked here when not installed (installing
#: the package would also start a Prometheus server).
CACHED_PROMTOOL = ROOT / "var" / "tools" / "promtool"


def load(name: str) -> Any:
    return yaml.safe_load((OBS / name).read_text())


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((OBS / "grafana" / "dashboards" / "atlas.json").read_text())
    return data


def rule_exprs() -> dict[str, str]:
    return {r["alert"]: r["expr"] for g in load("alerts.yml")["groups"] for r in g["rules"]}


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p["targets"]]


def defined_series() -> set[str]:
    """Every series name the atlas_* metrics expose (a histogram's _bucket, _count, _sum)."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(s.name for s in family.samples if s.name.startswith("atlas_"))
        if family.name.startswith("atlas_"):
            names.add(family.name + ("_total" if family.type == "counter" else ""))
            names.update(
                family.name + s for s in ("_bucket", "_count", "_sum") if family.type == "histogram"
            )
    return names


def used_metrics() -> set[str]:
    return {m for e in [*rule_exprs().values(), *dashboard_exprs()] for m in METRIC.findall(e)}


def test_the_issue_alerts_exist_with_severity_and_summary() -> None:
    rules = [r for g in load("alerts.yml")["groups"] for r in g["rules"]]
    assert {r["alert"] for r in rules} == {
        "AtlasQueueWaitHigh",
        "AtlasErrorRatioHigh",
        "AtlasNoQueryConsumers",
        "AtlasRevocationLag",
    }
    for rule in rules:
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["for"], rule["alert"]


def test_rules_and_dashboard_use_only_metrics_atlas_defines() -> None:
    used = used_metrics()
    assert used >= {
        "atlas_job_queue_wait_seconds_bucket",
        "atlas_query_queue_consumers",
        "atlas_revocation_propagation_seconds_bucket",
        "atlas_jobs_total",
    }
    assert used <= defined_series(), used - defined_series()


def test_dashboard_panels_have_queries_on_the_provisioned_datasource() -> None:
    board = dashboard()
    sources = load("grafana/provisioning/datasources/prometheus.yaml")["datasources"]
    uids = {s["uid"] for s in sources}
    assert board["uid"] and board["panels"]
    for panel in board["panels"]:
        assert panel["targets"] and panel["datasource"]["uid"] in uids, panel["title"]
    assert len({p["id"] for p in board["panels"]}) == len(board["panels"])


def test_collector_pipeline_sends_otlp_to_jaeger() -> None:
    config = load("otel-collector.yaml")
    traces = config["service"]["pipelines"]["traces"]
    assert set(traces["receivers"]) <= set(config["receivers"])
    assert set(traces["exporters"]) <= set(config["exporters"])
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")


def test_scrape_targets_are_the_compose_services_and_ports(compose: dict[str, Any]) -> None:
    jobs = {j["job_name"]: j for j in load("prometheus.yml")["scrape_configs"]}
    services = compose["services"]
    targets = [t for j in jobs.values() for c in j.get("static_configs", []) for t in c["targets"]]
    for target in targets:
        name, port = target.split(":")
        env = services[name]["environment"]
        assert port in (env.get("ATLAS_METRICS_PORT"), *services[name].get("expose", [])), target
    worker = jobs["atlas-query-worker"]["dns_sd_configs"][0]
    assert str(worker["port"]) == services["query-worker"]["environment"]["ATLAS_METRICS_PORT"]
    keep = jobs["kubernetes-pods"]["relabel_configs"][0]
    assert keep["action"] == "keep" and "prometheus_io_scrape" in keep["source_labels"][0]


def test_compose_profile_mounts_the_files_that_exist(compose: dict[str, Any]) -> None:
    profile = {
        n: s for n, s in compose["services"].items() if "observability" in s.get("profiles", [])
    }
    assert set(profile) == {"otel-collector", "jaeger", "prometheus", "grafana"}
    for name, service in profile.items():
        assert re.search(r":v?\d+\.\d+\.\d+$", service["image"]), f"{name}: unpinned image"
        for volume in service.get("volumes", []):
            assert (ROOT / volume.split(":")[0]).exists(), volume


@pytest.fixture(scope="module")
def promtool(tmp_path_factory: pytest.TempPathFactory) -> str:
    found = shutil.which("promtool")
    if found is not None:
        return found
    if not CACHED_PROMTOOL.exists():
        _unpack_promtool(tmp_path_factory.mktemp("prometheus-deb"))
    return str(CACHED_PROMTOOL)


def _unpack_promtool(directory: Path) -> None:
    """``apt-get download prometheus`` (a stale package list refreshed), promtool taken out."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        pytest.fail("promtool is missing and apt-get is not available to fetch it")
    download = ["apt-get", "download", "-q", "prometheus"]
    for step in (download, ["apt-get", "update", "-q"], download):
        done = subprocess.run(step, cwd=directory, capture_output=True, timeout=600)
        if step is download and done.returncode == 0:
            break
    debs = list(directory.glob("prometheus_*.deb"))
    if not debs:
        pytest.fail(f"could not download Debian's prometheus package: {done.stderr.decode()}")
    files = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(debs[0])], capture_output=True,
                           check=True, timeout=120).stdout
    subprocess.run(["tar", "-x", "-C", str(directory), "./usr/bin/promtool"], input=files,
                   check=True, timeout=120)
    CACHED_PROMTOOL.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(directory / "usr" / "bin" / "promtool", CACHED_PROMTOOL)  # /tmp may be another fs


def test_promtool_accepts_rules_and_config(tmp_path: Path, promtool: str) -> None:
    rules = subprocess.run(
        [promtool, "check", "rules", str(OBS / "alerts.yml")], capture_output=True, text=True
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = load("prometheus.yml")
    config["rule_files"] = [str(OBS / "alerts.yml")]
    config["scrape_configs"] = [
        j for j in config["scrape_configs"] if "kubernetes_sd_configs" not in j
    ]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
