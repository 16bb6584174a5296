"""The semantic layer as MCP resources: the catalog, the glossary, and one entity or metric
file by name (YAML, as written), read through the gateway's raw-file endpoint."""

from __future__ import annotations

import re

from mcp_types import Resource, ResourceTemplate

from atlas_mcp.errors import ToolFailure
from atlas_mcp.tools.base import Call
from atlas_mcp.tools.explore import read

YAML = "text/yaml"
CATALOG = "atlas://semantic/catalog"
GLOSSARY = "atlas://semantic/glossary"
ENTITY = "atlas://semantic/entities/{name}"
METRIC = "atlas://semantic/metrics/{name}"

RESOURCES = [
    Resource(
        name="catalog",
        title="Data catalog",
        uri=CATALOG,
        mime_type=YAML,
        description="What data there is: every entity with its grain, uses and common questions.",
    ),
    Resource(
        name="glossary",
        title="Business glossary",
        uri=GLOSSARY,
        mime_type=YAML,
        description="Business terms, what they mean, and which are ambiguous.",
    ),
]
TEMPLATES = [
    ResourceTemplate(
        name="entity",
        title="Entity schema",
        uri_template=ENTITY,
        mime_type=YAML,
        description="One entity's YAML (entities/{name}.yml): columns, measures, joins.",
    ),
    ResourceTemplate(
        name="metrics",
        title="Metric definitions",
        uri_template=METRIC,
        mime_type=YAML,
        description="One metrics file's YAML (metrics/{name}.yml): ids, SQL, descriptions.",
    ),
]

_FILE = re.compile(r"^atlas://semantic/(entities|metrics)/([A-Za-z0-9_.\- ]+)$")


def file_of(uri: str) -> str:
    """The layer file a resource URI names; ``unknown_resource`` for anything else."""
    if uri == CATALOG:
        return "catalog.yml"
    if uri == GLOSSARY:
        return "glossary.yml"
    match = _FILE.match(uri)
    if match is None or ".." in match.group(2):
        raise ToolFailure("unknown_resource", f"No resource {uri}")
    name = match.group(2).removesuffix(".yml")
    return f"{match.group(1)}/{name}.yml"


async def read_resource(call: Call, uri: str) -> str:
    return await read(call, file_of(uri))
