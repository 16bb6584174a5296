"""The bare FastAPI baseline served exactly as an Atlas service is: ``run_service``'s uvicorn.

``python bench/perf/bare_server.py PORT`` serves ``bench.bare_app`` (one JSON route,
``GET /ping``) with the same server settings, loop and logging as the gateway, so a change to
how Atlas runs uvicorn moves the baseline too and the ratio stays fair.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.bare_app import app

from atlas_common.service import run_service
from atlas_common.settings import CommonSettings


def main() -> None:
    port = int(sys.argv[1])
    run_service("bench-bare", CommonSettings, lambda _settings: app,
                listen=lambda _settings: ("127.0.0.1", port))


if __name__ == "__main__":
    main()
