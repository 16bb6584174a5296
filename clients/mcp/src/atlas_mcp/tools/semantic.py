"""``listEntities``, ``describeEntity`` and ``searchGlossary``: the semantic layer, read
through the gateway's read-only semantic endpoints (role viewer and up). Nothing runs on the
datasource."""

from __future__ import annotations

from typing import Any

from atlas_mcp.errors import ToolFailure
from atlas_mcp.gateway import segment
from atlas_mcp.tools.base import Call, ToolSpec
from atlas_mcp.tools.schemas import (
    DescribeEntityInput,
    DescribeEntityOutput,
    EntitySummary,
    GlossaryMatch,
    ListEntitiesInput,
    ListEntitiesOutput,
    SearchGlossaryInput,
    SearchGlossaryOutput,
)

LIST_DESCRIPTION = (
    "List the entities (tables) of the semantic layer with their description, grain and the "
    "number of dimensions and measures. Start here to see what data there is; then "
    "describeEntity for one entity's columns, joins and query patterns."
)
DESCRIBE_DESCRIPTION = (
    "Describe one entity of the semantic layer: its table, dimensions (columns with types and "
    "sample values), measures, joins and query patterns. `name` is the entity's name as "
    "listEntities reports it, or its table. Errors: unknown_entity, invalid_arguments."
)
GLOSSARY_DESCRIPTION = (
    "Look a business term up in the glossary (e.g. 'revenue', 'active users'). A match with "
    "status `ambiguous` has several meanings: ask the user which of `possibleMappings` they "
    "mean rather than picking one."
)


async def list_entities(call: Call, args: ListEntitiesInput) -> ListEntitiesOutput:
    body = await call.gateway.get(call.key, "/api/v1/semantic/entities")
    entities = [EntitySummary.model_validate(e) for e in body.get("entities", [])]
    if args.filter:
        needle = args.filter.lower()
        entities = [e for e in entities if needle in f"{e.name} {e.table} {e.description}".lower()]
    return ListEntitiesOutput(count=len(entities), entities=entities)


async def describe_entity(call: Call, args: DescribeEntityInput) -> DescribeEntityOutput:
    path = f"/api/v1/semantic/entities/{segment(args.name)}"
    try:
        body = await call.gateway.get(call.key, path)
    except ToolFailure as failure:
        if failure.code == "not_found":
            raise ToolFailure(
                "unknown_entity",
                f'Entity "{args.name}" is not in the semantic layer',
                hint="Call listEntities for the entities there are.",
            ) from None
        raise
    return DescribeEntityOutput(found=True, entity=body.get("entity") or {})


async def search_glossary(call: Call, args: SearchGlossaryInput) -> SearchGlossaryOutput:
    body = await call.gateway.get(call.key, "/api/v1/semantic/glossary")
    needle = args.term.lower()
    matches = [
        GlossaryMatch.model_validate(entry)
        for entry in body.get("glossary", [])
        if needle in _haystack(entry)
    ]
    ambiguous = any(m.status == "ambiguous" for m in matches)
    hint = "Ask the user which possible mapping they mean; do not pick one." if ambiguous else None
    return SearchGlossaryOutput(query=args.term, count=len(matches), matches=matches, hint=hint)


def _haystack(entry: dict[str, Any]) -> str:
    parts = [entry.get("term"), entry.get("definition"), entry.get("note")]
    parts += entry.get("possibleMappings") or []
    return " ".join(str(p) for p in parts if p).lower()


LIST_ENTITIES = ToolSpec(
    "listEntities",
    "List semantic entities",
    LIST_DESCRIPTION,
    ListEntitiesInput,
    ListEntitiesOutput,
    list_entities,
    open_world=False,
)
DESCRIBE_ENTITY = ToolSpec(
    "describeEntity",
    "Describe a semantic entity",
    DESCRIBE_DESCRIPTION,
    DescribeEntityInput,
    DescribeEntityOutput,
    describe_entity,
    open_world=False,
)
SEARCH_GLOSSARY = ToolSpec(
    "searchGlossary",
    "Search the business glossary",
    GLOSSARY_DESCRIPTION,
    SearchGlossaryInput,
    SearchGlossaryOutput,
    search_glossary,
    open_world=False,
)
