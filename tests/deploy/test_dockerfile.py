"""The Dockerfile: one target per process, built from the lock, run as non-root."""

from __future__ import annotations

import shlex

import pytest

from tests.deploy import dockerfile
from tests.deploy.layout import HTTP_PORTS, PROCESSES
from tests.deploy.workspace import ROOT, Script, dockerignore_patterns, dockerignored, members


def test_every_process_has_a_target_named_after_its_script(targets: dict[str, Script]) -> None:
    assert set(targets) == PROCESSES
    for name, script in targets.items():
        assert script.name == f"atlas-{name}"


def test_each_target_installs_the_member_that_declares_its_script(
    stages: dict[str, dockerfile.Stage], targets: dict[str, Script]
) -> None:
    for name, script in targets.items():
        venvs = [c.from_stage for c in dockerfile.copies(stages[name]) if c.dest == "/app/.venv"]
        assert len(venvs) == 1, f"{name}: expected one COPY --from of a built venv"
        build = stages[venvs[0]]
        syncs = [shlex.split(a) for a in build.args_of("RUN") if "uv sync" in a]
        assert syncs, f"{build.name} runs no `uv sync`"
        for argv in syncs:
            argv = argv[argv.index("uv") :]
            assert argv[argv.index("--package") + 1] == script.distribution, (name, argv)
            assert {"--locked", "--no-dev"} <= set(argv), argv
        assert "--no-editable" in syncs[-1], f"{build.name}: the venv must not point at /src"


def test_builder_uses_the_image_python_only(stages: dict[str, dockerfile.Stage]) -> None:
    for name in dockerfile.final_stages(stages):
        copies = dockerfile.copies(stages[name])
        build_stages = {c.from_stage for c in copies if c.from_stage and c.dest == "/app/.venv"}
        for build in build_stages:
            assert dockerfile.env(stages, build).get("UV_PYTHON_DOWNLOADS") == "never", build


@pytest.mark.parametrize("target", sorted(PROCESSES))
def test_target_runs_as_a_non_root_user(stages: dict[str, dockerfile.Stage], target: str) -> None:
    user = dockerfile.last(stages, target, "USER")
    assert user, f"{target} runs as root (no USER)"
    assert user.split(":")[0] not in {"root", "0"}


@pytest.mark.parametrize("target", sorted(HTTP_PORTS))
def test_http_target_checks_healthz_on_its_port(
    stages: dict[str, dockerfile.Stage], target: str
) -> None:
    check = dockerfile.last(stages, target, "HEALTHCHECK")
    assert check, f"{target} has no HEALTHCHECK"
    code = " ".join(dockerfile.healthcheck_command(check))
    assert "/healthz" in code
    port = str(HTTP_PORTS[target])
    assert port in code and dockerfile.last(stages, target, "EXPOSE") == port
    host_env = {k: v for k, v in dockerfile.env(stages, target).items() if k.endswith("_HOST")}
    assert host_env and set(host_env.values()) == {"0.0.0.0"}, "listen on all interfaces"


def test_worker_healthcheck_follows_the_heartbeat_contract(
    stages: dict[str, dockerfile.Stage],
) -> None:
    check = dockerfile.last(stages, "query-worker", "HEALTHCHECK")
    assert check, "query-worker has no HEALTHCHECK"
    # The worker's own check reads its heartbeat file (ATLAS_WORKER_HEARTBEAT_DIR).
    assert dockerfile.healthcheck_command(check) == ["atlas-query-worker", "--check"]


def test_gateway_carries_only_the_built_widget_and_console(
    stages: dict[str, dockerfile.Stage],
) -> None:
    """JavaScript is built in the node stage from the lock; the gateway gets the dists only."""
    web = [c for c in dockerfile.copies(stages["gateway"]) if c.dest != "/app/.venv"]
    assert [(c.from_stage, c.sources) for c in web] == [
        ("web-build", ["/src/clients/widget/dist"]),
        ("web-build", ["/src/clients/console/dist"]),
    ]
    env = dockerfile.env(stages, "gateway")
    assert env["ATLAS_WIDGET_DIR"] == web[0].dest
    assert env["ATLAS_CONSOLE_DIR"] == web[1].dest
    runs = " ".join(stages["web-build"].args_of("RUN"))
    assert "npm ci" in runs and "npm run build" in runs


def test_builder_copies_every_workspace_member_pyproject(
    stages: dict[str, dockerfile.Stage],
) -> None:
    copied = {s for c in dockerfile.copies(stages["builder"]) for s in c.sources}
    expected = {str((m / "pyproject.toml").relative_to(ROOT)) for m in members()}
    assert expected | {"pyproject.toml", "uv.lock"} <= copied, "uv sync --locked needs them all"


def test_copied_paths_exist_and_are_in_the_build_context(
    stages: dict[str, dockerfile.Stage],
) -> None:
    patterns = dockerignore_patterns()
    for stage in stages.values():
        for copy in dockerfile.copies(stage):
            if copy.from_stage:
                continue
            for source in copy.sources:
                assert (ROOT / source).exists(), f"{stage.name}: COPY {source}: no such path"
                assert not dockerignored(source, patterns), f"{source} is in .dockerignore"


def test_build_context_leaves_out_venv_git_and_secrets() -> None:
    patterns = dockerignore_patterns()
    for path in (".venv/bin/python", ".git/config", ".env", "var/demo.duckdb", "tests/x.py"):
        assert dockerignored(path, patterns), path
    assert not dockerignored("services/gateway/src/atlas_gateway/main.py", patterns)


def test_dockerignore_matcher_negation_and_globs() -> None:
    patterns = ["**/__pycache__", "docs", "!docs/keep.md", "*.log"]
    assert dockerignored("libs/x/__pycache__/a.pyc", patterns)
    assert dockerignored("docs/a.md", patterns)
    assert not dockerignored("docs/keep.md", patterns)
    assert dockerignored("a.log", patterns) and not dockerignored("sub/a.log", patterns)
