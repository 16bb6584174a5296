"""The tools, in the order a client lists them."""

from atlas_mcp.tools import explore, query, semantic, sql
from atlas_mcp.tools.base import Call, ToolSpec

TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        query.TOOL,
        sql.EXECUTE_SQL,
        explore.TOOL,
        semantic.LIST_ENTITIES,
        semantic.DESCRIBE_ENTITY,
        semantic.SEARCH_GLOSSARY,
        sql.RUN_METRIC,
    )
}

__all__ = ["TOOLS", "Call", "ToolSpec"]
