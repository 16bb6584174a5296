"""The TypeScript SDK's tests under node: unit tests of every JavaScript workspace, and the
SDK's integration tests (clients/typescript/test/integration/) against the real stack of
conftest.py. A failure shows node's own report."""

from __future__ import annotations

from tests.clients.typescript.conftest import ROOT, NodeEnv


def _report(result: object) -> str:
    out = getattr(result, "stdout", "") + getattr(result, "stderr", "")
    return out[-12000:]


def test_javascript_unit_tests() -> None:
    result = NodeEnv({}).run("npm", "test", "--workspaces", "--if-present", cwd=ROOT)
    assert result.returncode == 0, _report(result)


def test_sdk_against_a_running_stack(node_stack: NodeEnv) -> None:
    result = node_stack.run("node", "--test", "--test-concurrency=1", "test/integration/")
    assert result.returncode == 0, _report(result)
