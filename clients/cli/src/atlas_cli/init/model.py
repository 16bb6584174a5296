"""What ``atlas init`` produces before anything is written: documents with their guesses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    """One YAML file of the layer. ``path`` is relative to the output folder."""

    path: str
    data: dict[str, Any]
    guesses: list[str] = field(default_factory=list)  # for the header: what to review
    table: str | None = None  # entity files: the table's key (qualified outside the default)


@dataclass
class Layer:
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)

    def entities(self) -> list[Document]:
        return [d for d in self.documents if d.table is not None]

    def counts(self) -> dict[str, int]:
        """Entities, joins (declared / inferred) and measures, for the summary."""
        joins = [j for d in self.entities() for j in d.data.get("joins", [])]
        inferred = sum(1 for j in joins if j.get("inferred"))
        return {
            "entities": len(self.entities()),
            "joins_declared": len(joins) - inferred,
            "joins_inferred": inferred,
            "measures": sum(len(d.data.get("measures", [])) for d in self.entities()),
        }
