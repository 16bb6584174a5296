"""Which files a run writes, and their text: the policy of re-runs in one place.

First run (no layer in the folder): every file. Re-run: the entity files of new tables only;
with ``--force``, also the existing files, merged (see ``merge``). An entity file a person
deleted is not written again unless its table is new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap

from atlas_cli.init import merge, yamlio
from atlas_cli.init.diff import Changes
from atlas_cli.init.model import Document, Layer
from atlas_cli.init.state import OnDisk, TableState
from atlas_cli.init.writer import render


@dataclass
class Planned:
    path: str  # relative to the output folder
    text: str
    action: Literal["new", "merged"]


@dataclass
class Plan:
    writes: list[Planned] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    snapshot: dict[str, TableState] = field(default_factory=dict)


@dataclass
class Run:
    root: Path
    layer: Layer
    disk: OnDisk
    changes: Changes
    source: str  # "the postgres database shop": for headers, never a URL
    force: bool
    today: date
    entity_tables: dict[str, str]  # entity name -> table key

    def plan(self, now: dict[str, TableState]) -> Plan:
        plan = Plan()
        new_tables = set(self.changes.new_tables)
        for doc in self.layer.documents:
            if doc.table is not None:
                self._entity(plan, doc, doc.table in new_tables)
            else:
                self._shared(plan, doc, new_tables)
        if self.force:
            self._dropped(plan)
        plan.snapshot = self._snapshot(now)
        return plan

    def _entity(self, plan: Plan, doc: Document, is_new: bool) -> None:
        assert doc.table is not None
        existing = self.disk.entities.get(doc.table)
        if existing is None and (is_new or self.disk.first_run):
            if (self.root / doc.path).exists():
                plan.notes.append(f"{doc.path} exists for another table: {doc.table} not written")
                return
            plan.writes.append(Planned(doc.path, self._render(doc), "new"))
        elif existing is None:
            plan.notes.append(f"{doc.table}: no entity file (removed by hand?), left out")
        elif self.force:
            path, data = existing
            entity_merge = merge.EntityMerge(
                doc.table, self.changes, self.entity_tables, self.today
            )
            entity_merge.merge(data, doc.data)
            self._merged(plan, path, data)

    def _shared(self, plan: Plan, doc: Document, new_tables: set[str]) -> None:
        path = self.root / doc.path
        if not path.exists():
            if self.disk.first_run or self.force:
                plan.writes.append(Planned(doc.path, self._render(doc), "new"))
            return
        if not self.force:
            if not self.changes.empty:
                plan.notes.append(f"{doc.path} not changed (--force merges what is new)")
            return
        data = yamlio.load(path)
        new_entities = {n for n, t in self.entity_tables.items() if t in new_tables}
        _merge_shared(doc, data, new_entities, self.changes)
        self._merged(plan, path, data)

    def _dropped(self, plan: Plan) -> None:
        for table in self.changes.dropped_tables:
            found = self.disk.entities.get(table)
            if found is not None:
                merge.mark_dropped(found[1], self.today)
                self._merged(plan, found[0], found[1])

    def _merged(self, plan: Plan, path: Path, data: CommentedMap) -> None:
        text = yamlio.dump(data)
        if text != path.read_text(encoding="utf-8"):
            plan.writes.append(Planned(str(path.relative_to(self.root)), text, "merged"))

    def _render(self, doc: Document) -> str:
        return render(doc, self.source, self.today)

    def _snapshot(self, now: dict[str, TableState]) -> dict[str, TableState]:
        """What the layer is in step with after this run. Only a first run or a merge brings
        it in step; a run that only adds new entity files keeps the old state, so the next
        ``--force`` still sees those tables as new and merges their joins and catalog entries
        into the other files."""
        if not (self.disk.first_run or self.force):
            return dict(self.disk.tables)
        kept = {k: t for k, t in self.disk.tables.items() if k not in self.changes.dropped_tables}
        return {**kept, **now}


def _merge_shared(
    doc: Document, data: CommentedMap, new_entities: set[str], changes: Changes
) -> None:
    """Catalog entries, metrics and glossary terms that come from new tables or columns."""
    if doc.path == "catalog.yml":
        items = [e for e in doc.data["entities"] if e["name"] in new_entities]
        merge.add_named(data, "entities", items, "name")
    elif doc.path.startswith("metrics/"):
        items = [m for m in doc.data["metrics"] if m["source"]["entity"] in new_entities]
        merge.add_named(data, "metrics", items, "id")
    elif "terms" in doc.data:
        merge.add_terms(
            data, {t: b for t, b in doc.data["terms"].items() if _touches_new(b, changes)}
        )


def _touches_new(term: dict[str, Any], changes: Changes) -> bool:
    for place in term.get("possible_mappings", []):
        table, _, column = str(place).rpartition(".")
        if table in changes.new_tables or column in changes.new_columns.get(table, []):
            return True
    return False
