"""Print the gateway's OpenAPI document (JSON) from its app object: no running stack needed.

Run with the workspace's Python:
``uv run --no-sync python clients/typescript/scripts/dump_openapi.py``.
"""

from __future__ import annotations

import json
import sys

from atlas_gateway.main import create_app

json.dump(create_app().openapi(), sys.stdout, indent=2, sort_keys=True)
sys.stdout.write("\n")
