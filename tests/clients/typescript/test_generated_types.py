"""clients/typescript/src/generated/openapi.ts is what openapi-typescript makes of the
gateway's OpenAPI document today: regenerate it (``npm run generate -w clients/typescript``)
when this fails."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.clients.typescript.conftest import SDK, NodeEnv


def test_generated_openapi_types_are_current(tmp_path: Path) -> None:
    fresh = tmp_path / "openapi.ts"
    env = NodeEnv({"ATLAS_PYTHON": sys.executable})
    result = env.run("node", "scripts/generate.mjs", str(fresh))
    assert result.returncode == 0, result.stdout + result.stderr
    committed = (SDK / "src" / "generated" / "openapi.ts").read_text()
    assert fresh.read_text() == committed, "stale: run `npm run generate -w clients/typescript`"
