"""Write the ``openAPIV3Schema`` of each version of a CustomResourceDefinition as JSON.

Usage: ``python tests/deploy/schemas/crd_to_json.py CRD.yaml OUT_DIR``; one file per served
version, ``<kind>-<group prefix>-<version>.json`` (``scaledobject-keda-v1alpha1.json``), the
naming kubernetes-validate uses for its built-in kinds. The schema is written as the CRD has it;
the tests add the strictness of the API server's field validation themselves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


def extract(crd_path: Path, out_dir: Path) -> list[Path]:
    crd = yaml.safe_load(crd_path.read_text())
    spec = crd["spec"]
    kind, prefix = spec["names"]["kind"].lower(), spec["group"].split(".")[0]
    written = []
    for version in spec["versions"]:
        if not version.get("served", True):
            continue
        path = out_dir / f"{kind}-{prefix}-{version['name']}.json"
        schema = version["schema"]["openAPIV3Schema"]
        path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written in extract(Path(sys.argv[1]), Path(sys.argv[2])):
        print(written)
