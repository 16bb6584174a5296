"""``python -m atlas_common.asyncapi [--check] [PATH]``: write the AsyncAPI document (default
``docs/asyncapi.yaml``), or with ``--check`` exit 1 when the file differs from what the models
give now."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlas_common.asyncapi import render

DEFAULT_PATH = Path("docs/asyncapi.yaml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m atlas_common.asyncapi")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is stale: run python -m atlas_common.asyncapi", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
