"""A profile -> the documents of a semantic layer (../shared/SEMANTIC_LAYER.md).

Entities: one per table or view, with every column as a dimension, a month bucket of its
main time column, guessed measures and joins from foreign keys in both directions. Then the
catalog (with starter prompts), the glossary of ambiguous terms and count metrics.
"""

from __future__ import annotations

from typing import Any

from atlas_datasources.model import ColumnProfile, DatabaseProfile, ForeignKey, TableProfile

from atlas_cli.init import catalog, glossary, guesses, names
from atlas_cli.init.model import Document, Layer
from atlas_cli.init.schema import Schema

GLOSSARY_FILE = "glossary.yml"
METRICS_FILE = "metrics/counts.yml"
# Types whose few values are worth listing: "orders by status" must know the statuses.
_LISTED = ("string", "boolean", "number")


def generate(profile: DatabaseProfile) -> Layer:
    schema = Schema(profile)
    entities = [entity_document(schema, key) for key in sorted(schema.tables)]
    terms = glossary.ambiguous_terms(profile, {k: schema.keys(k) for k in schema.tables})
    documents = [
        *entities,
        catalog.catalog_document(schema, entities, GLOSSARY_FILE, METRICS_FILE),
        catalog.glossary_document(terms),
        catalog.metrics_document(schema, entities, METRICS_FILE),
    ]
    return Layer(documents, [*profile.warnings, *dict.fromkeys(schema.warnings)])


def entity_document(schema: Schema, key: str) -> Document:
    table = schema.tables[key]
    references = [fk for fk in table.foreign_keys if fk.ref_table != key]
    dimensions = _dimensions(schema, key)
    measures = _measures(schema, key)
    joins = _joins_out(schema, key) + _joins_in(schema, key)
    data: dict[str, Any] = {
        "name": schema.entity[key],
        "type": guesses.entity_type(table, len(references)),
        "table": names.table_sql(table, schema.profile.default_schema, schema.dialect),
        "grain": _grain(table),
        "description": table.comment or _description(table, schema.profile.default_schema),
        "x-atlas-rows": table.row_count,
        "dimensions": dimensions,
        "measures": measures,
        "joins": joins,
    }
    if table.row_count_estimated:
        data["x-atlas-rows-estimated"] = True
    return Document(schema.file[key], data, _review(data), table=key)


def _grain(table: TableProfile) -> str:
    grain = f"one row per {names.noun_phrase(table.name, many=False)}"
    return grain if table.primary_key else f"{grain}, no primary key"


def _description(table: TableProfile, default_schema: str | None) -> str:
    what = {"table": "Table", "view": "View", "materialized_view": "Materialized view"}
    rows = f"about {table.row_count:,}" if table.row_count_estimated else f"{table.row_count:,}"
    return f"{what[table.kind]} {names.table_key(table, default_schema)}: {rows} rows."


def _dimensions(schema: Schema, key: str) -> list[dict[str, Any]]:
    table = schema.tables[key]
    found = [_dimension(schema, key, column) for column in table.columns]
    time = guesses.main_time_column(table)
    if time is not None:
        taken = {c.name for c in table.columns}
        found.append(
            guesses.month_dimension(table, time, schema.quote(time.name), schema.dialect, taken)
        )
    return found


def _dimension(schema: Schema, key: str, column: ColumnProfile) -> dict[str, Any]:
    table = schema.tables[key]
    item: dict[str, Any] = {
        "name": column.name,
        "sql": schema.quote(column.name),
        "type": column.dimension_type,
    }
    description = column.comment or _column_note(table, column)
    if description:
        item["description"] = description
    if column.primary_key or table.primary_key == [column.name]:
        item["primary_key"] = True
    unit = guesses.unit_of(column.name) if column.dimension_type == "number" else None
    if unit is not None:
        item["semantic_type"] = unit
    item.update(statistics(table, column))
    return item


def statistics(table: TableProfile, column: ColumnProfile) -> dict[str, Any]:
    """What the profile measured: refreshed on every ``--force`` run (see merge)."""
    stats: dict[str, Any] = {}
    if column.distinct_count is not None:
        stats["unique_count"] = column.distinct_count
    if column.null_fraction is not None:
        stats["null_count"] = round(column.null_fraction * table.row_count)
    if column.sample_values and not column.primary_key and column.dimension_type in _LISTED:
        stats["sample_values"] = list(column.sample_values)
    if column.min_value is not None:
        stats["x-atlas-min"] = column.min_value
    if column.max_value is not None:
        stats["x-atlas-max"] = column.max_value
    return stats


def _column_note(table: TableProfile, column: ColumnProfile) -> str:
    for fk in table.foreign_keys:
        if fk.columns == [column.name]:
            how = "inferred from names and values" if fk.inferred else "declared"
            return f"References {fk.ref_table}.{fk.ref_columns[0]}, {how}."
    if guesses.unit_of(column.name) == "cents" and column.dimension_type == "number":
        return "An amount in cents: divide by 100 for whole currency units."
    return ""


def _measures(schema: Schema, key: str) -> list[dict[str, Any]]:
    table = schema.tables[key]
    pk = table.primary_key[0] if len(table.primary_key) == 1 else None
    found = [guesses.count_measure(table, schema.quote(pk) if pk else None)]
    keys = schema.keys(key)
    for column in table.columns:
        if guesses.is_measurable(column, keys):
            owner = names.noun_phrase(table.name, many=False)
            found += guesses.numeric_measures(column, schema.quote(column.name), owner)
    for fk in table.foreign_keys:
        if len(fk.columns) == 1 and fk.columns[0] != pk:
            found.append(guesses.distinct_measure(fk.columns[0], schema.quote(fk.columns[0])))
    return _dedupe(found)


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name: dict[str, dict[str, Any]] = {}
    for item in items:
        by_name.setdefault(item["name"], item)
    return list(by_name.values())


def _joins_out(schema: Schema, key: str) -> list[dict[str, Any]]:
    table = schema.tables[key]
    joins = []
    for fk in table.foreign_keys:
        if not schema.joinable(key, fk):
            continue
        unique = table.primary_key == fk.columns
        target = schema.entity[fk.ref_table]
        one = names.noun_phrase(target, many=False)
        text = f"Each {names.noun_phrase(table.name, many=False)} references one {one}"
        joins.append(
            _join(
                target,
                "one_to_one" if unique else "many_to_one",
                fk.columns[0],
                fk.ref_columns[0],
                fk,
                text,
            )
        )
    return joins


def _joins_in(schema: Schema, key: str) -> list[dict[str, Any]]:
    joins = []
    for source, fk in schema.incoming.get(key, []):
        if source == key or not schema.joinable(source, fk):
            continue  # a self-reference is written once, from the referencing side
        if schema.tables[source].primary_key == fk.columns:
            continue  # one-to-one: the referencing side's join serves both directions
        text = f"{schema.entity[source]} rows that reference this one through {fk.columns[0]}"
        joins.append(
            _join(schema.entity[source], "one_to_many", fk.ref_columns[0], fk.columns[0], fk, text)
        )
    return joins


def _join(
    target: str, relationship: str, from_: str, to: str, fk: ForeignKey, text: str
) -> dict[str, Any]:
    join: dict[str, Any] = {
        "target_entity": target,
        "relationship": relationship,
        "join_columns": {"from": from_, "to": to},
    }
    if fk.inferred:
        share = f", {fk.overlap:.0%} of values found" if fk.overlap is not None else ""
        join["description"] = (
            f"{text}. Inferred by atlas init from names and values{share}; "
            "not declared in the database: review."
        )
        join["inferred"] = True
    else:
        join["description"] = f"{text}. Declared foreign key."
    return join


def _review(data: dict[str, Any]) -> list[str]:
    """Header lines naming what in an entity file is a guess."""
    lines = ["type and grain"]
    guessed = [m["name"] for m in data["measures"] if m.get(guesses.GUESS)]
    if guessed:
        lines.append("measures " + ", ".join(guessed))
    virtual = [d["name"] for d in data["dimensions"] if d.get(guesses.GUESS)]
    if virtual:
        lines.append("dimensions " + ", ".join(virtual))
    inferred = [j["target_entity"] for j in data["joins"] if j.get("inferred")]
    if inferred:
        lines.append("inferred joins to " + ", ".join(inferred))
    return lines
