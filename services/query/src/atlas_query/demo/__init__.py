"""The embedded demo database (a small SaaS / e-commerce company) and its semantic layer.

``ensure_demo_database`` is the entry point for workers; ``generate_demo`` is the pure
generator behind it; ``SEMANTIC_ROOT`` is the demo's semantic layer folder.
"""

from __future__ import annotations

from pathlib import Path

from atlas_query.demo.generate import DEMO_VERSION, generate_demo
from atlas_query.demo.provision import ensure_demo_database

__all__ = ["DEMO_VERSION", "SEMANTIC_ROOT", "ensure_demo_database", "generate_demo"]

SEMANTIC_ROOT: Path = Path(__file__).parent / "semantic"
