"""The layer's shared files: ``catalog.yml`` (with starter prompts), ``glossary.yml`` and
``metrics/counts.yml`` (one count per main entity, the only metric that is always safe)."""

from __future__ import annotations

from typing import Any

from atlas_cli.init import guesses, names
from atlas_cli.init.model import Document
from atlas_cli.init.schema import Schema

#: Starter prompts offered on an empty chat: one per main entity, the largest first.
MAX_STARTER_PROMPTS = 8
_DIALECTS = {"postgres": "PostgreSQL", "mysql": "MySQL", "sqlite": "SQLite", "duckdb": "DuckDB"}


def catalog_document(
    schema: Schema, entities: list[Document], glossary_file: str, metrics_file: str
) -> Document:
    profile = schema.profile
    dialect = _DIALECTS[profile.dialect]
    items = [_catalog_entity(schema, doc) for doc in entities]
    mains = sorted(
        (d for d in entities if schema.is_main(d.table or "")),
        key=lambda d: (-int(d.data.get("x-atlas-rows", 0)), d.data["name"]),
    )
    data: dict[str, Any] = {
        "version": "1.0",
        "name": profile.database,
        "description": f"The {dialect} database {profile.database}: {len(entities)} tables and "
        f"views profiled by atlas init. SQL is {dialect} dialect.",
        "entities": items,
        "glossary": glossary_file,
        "metrics": [{"file": metrics_file, "description": "Row counts of the main entities"}],
        "starterPrompts": [count_question(d) for d in mains[:MAX_STARTER_PROMPTS]],
    }
    return Document("catalog.yml", data, ["use_for, common_questions and starterPrompts"])


def count_question(doc: Document) -> str:
    return f"How many {_plural(doc)} are there?"


def _plural(doc: Document) -> str:
    return " ".join(names.words(names.noun_phrase(str(doc.data["name"]), many=True)))


def _catalog_entity(schema: Schema, doc: Document) -> dict[str, Any]:
    data = doc.data
    return {
        "name": data["name"],
        "file": doc.path,
        "grain": data["grain"],
        "description": data["description"],
        "use_for": _use_for(doc),
        "common_questions": _questions(doc),
    }


def _use_for(doc: Document) -> list[str]:
    plural = _plural(doc)
    uses = [f"Counting {plural}"]
    months = [d for d in doc.data["dimensions"] if d.get("virtual")]
    if months:
        uses.append(f"{plural.capitalize()} over time, by month")
    groups = _group_dimensions(doc)
    if groups:
        uses.append(f"Breaking {plural} down by {', '.join(groups)}")
    return uses


def _questions(doc: Document) -> list[str]:
    plural = _plural(doc)
    questions = [count_question(doc)]
    groups = _group_dimensions(doc)
    if groups:
        questions.append(f"How many {plural} are there by {groups[0]}?")
    sums = [m for m in doc.data["measures"] if m["type"] == "sum"]
    what = _quantity(str(sums[0]["name"])) if sums else ""
    if what and groups:
        questions.append(f"What is the total {what} by {groups[0]}?")
    return questions


def _quantity(measure: str) -> str:
    """``total_revenue`` -> ``revenue``; ``total_sum`` -> nothing worth asking about."""
    parts = [w for w in names.words(measure) if w not in ("total", "sum")]
    return " ".join(parts)


def _group_dimensions(doc: Document) -> list[str]:
    """Low-cardinality text columns: what a count is usually broken down by."""
    return [
        " ".join(names.words(d["name"]))
        for d in doc.data["dimensions"]
        if d["type"] == "string" and d.get("sample_values") and not d.get("virtual")
    ][:3]


def glossary_document(terms: dict[str, Any]) -> Document:
    review = [f"every ambiguous term ({len(terms)})"] if terms else []
    return Document("glossary.yml", {"terms": terms}, review)


def metrics_document(schema: Schema, entities: list[Document], path: str) -> Document:
    metrics: list[dict[str, Any]] = []
    for doc in entities:
        metric = _count_metric(doc) if schema.is_main(doc.table or "") else None
        if metric is not None:
            if any(m["id"] == metric["id"] for m in metrics):
                metric["id"] = f"{names.snake(doc.data['name'])}_count"
            metrics.append(metric)
    return Document(path, {"metrics": metrics}, ["every metric (row counts)"] if metrics else [])


def _count_metric(doc: Document) -> dict[str, Any] | None:
    measure = next(
        (
            m
            for m in doc.data["measures"]
            if m["type"] in ("count", "count_distinct") and m["name"].endswith("_count")
        ),
        None,
    )
    if measure is None:
        return None
    name, plural = measure["name"], _plural(doc)
    inner = f"DISTINCT {measure['sql']}" if measure["type"] == "count_distinct" else "*"
    return {
        "id": name,
        "label": f"Number of {plural}",
        "description": f"How many {plural} there are. {guesses.REVIEW}",
        "type": "atomic",
        "aggregation": measure["type"],
        "objective": "maximize",
        "source": {"entity": doc.data["name"], "measure": name},
        "sql": f"SELECT COUNT({inner}) AS {name}\nFROM {doc.data['table']}",
        guesses.GUESS: True,
    }
