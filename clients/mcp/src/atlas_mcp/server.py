"""The MCP server: tools, resources and prompts on the SDK's low-level ``Server``.

The low-level server, not ``MCPServer``, because every failure must come back as a tool
result with a stable code (``invalid_arguments`` for a misspelt argument included), and the
input and output schemas are the pydantic models of :mod:`atlas_mcp.tools.schemas`.

Whose key a call uses is decided by ``KeyOf``: over stdio the one key checked at start, over
HTTP the caller's own bearer, read from this request (never stored between requests).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    GetPromptRequestParams,
    GetPromptResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    PaginatedRequestParams,
    PromptMessage,
    ReadResourceRequestParams,
    ReadResourceResult,
    TextContent,
    TextResourceContents,
    Tool,
    ToolAnnotations,
)
from pydantic import BaseModel, ValidationError

from atlas_mcp import prompts, resources
from atlas_mcp.errors import ToolFailure
from atlas_mcp.gateway import Gateway
from atlas_mcp.tools import TOOLS, Call, ToolSpec

log = logging.getLogger("atlas_mcp")
Ctx = ServerRequestContext[Any, Any]
KeyOf = Callable[[Ctx], str | None]
RESOURCE_NOT_FOUND = -32002
INSTRUCTIONS = (
    "Atlas answers questions about the company's data. Ask with `query`; look the data up "
    "with listEntities, describeEntity, searchGlossary, explore and the atlas://semantic "
    "resources; run your own SELECT with executeSQL or a named metric with runMetric."
)


def build(gateway: Gateway, key_of: KeyOf, version: str = "0.1.0") -> Server[Any]:
    handlers = Handlers(gateway, key_of)
    return Server(
        "atlas",
        version=version,
        title="Atlas",
        instructions=INSTRUCTIONS,
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_resources=handlers.list_resources,
        on_list_resource_templates=handlers.list_templates,
        on_read_resource=handlers.read_resource,
        on_list_prompts=handlers.list_prompts,
        on_get_prompt=handlers.get_prompt,
    )


def tool_of(spec: ToolSpec) -> Tool:
    return Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input.model_json_schema(by_alias=True),
        output_schema=spec.output.model_json_schema(by_alias=True, mode="serialization"),
        annotations=ToolAnnotations(
            title=spec.title,
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=spec.name != "query",
            open_world_hint=spec.open_world,
        ),
    )


class Handlers:
    def __init__(self, gateway: Gateway, key_of: KeyOf) -> None:
        self.gateway = gateway
        self.key_of = key_of
        self.tools = [tool_of(spec) for spec in TOOLS.values()]

    async def list_tools(self, _ctx: Ctx, _p: PaginatedRequestParams | None) -> ListToolsResult:
        return ListToolsResult(tools=self.tools)

    async def call_tool(self, ctx: Ctx, params: CallToolRequestParams) -> CallToolResult:
        try:
            output = await self._run(ctx, params.name, params.arguments or {})
        except ToolFailure as failure:
            log.info("tool %s failed: %s", params.name, failure.code)
            return failed(failure)
        except Exception:  # a bug must not end the session: the next call still works
            log.exception("tool %s crashed", params.name)
            return failed(ToolFailure("internal_error", "The Atlas MCP server failed; see its log"))
        structured = output.model_dump(mode="json", by_alias=True)
        text = json.dumps(structured, ensure_ascii=False, default=str)
        return CallToolResult(
            content=[TextContent(type="text", text=text)], structured_content=structured
        )

    async def _run(self, ctx: Ctx, name: str, arguments: dict[str, Any]) -> BaseModel:
        spec = TOOLS.get(name)
        if spec is None:
            raise ToolFailure("unknown_tool", f"No tool named {name!r}", tools=sorted(TOOLS))
        args = _validate(spec, arguments)
        return await spec.run(self._call(ctx), args)

    def _call(self, ctx: Ctx) -> Call:
        key = self.key_of(ctx)
        if not key:
            raise ToolFailure("auth_error", "No API key: send one as `Authorization: Bearer`")

        async def progress(step: float, message: str) -> None:
            await ctx.session.report_progress(step, None, message)

        return Call(self.gateway, key, progress)

    async def list_resources(
        self, _ctx: Ctx, _p: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        return ListResourcesResult(resources=resources.RESOURCES)

    async def list_templates(
        self, _ctx: Ctx, _p: PaginatedRequestParams | None
    ) -> ListResourceTemplatesResult:
        return ListResourceTemplatesResult(resource_templates=resources.TEMPLATES)

    async def read_resource(
        self, ctx: Ctx, params: ReadResourceRequestParams
    ) -> ReadResourceResult:
        uri = str(params.uri)
        try:
            text = await resources.read_resource(self._call(ctx), uri)
        except ToolFailure as failure:
            code = (
                RESOURCE_NOT_FOUND if failure.code in ("not_found", "unknown_resource") else -32603
            )
            raise MCPError(code, f"{failure.code}: {failure.message}", failure.envelope()) from None
        contents = [TextResourceContents(uri=uri, mime_type=resources.YAML, text=text)]
        return ReadResourceResult(contents=contents)

    async def list_prompts(self, _ctx: Ctx, _p: PaginatedRequestParams | None) -> ListPromptsResult:
        return ListPromptsResult(prompts=prompts.listing())

    async def get_prompt(self, _ctx: Ctx, params: GetPromptRequestParams) -> GetPromptResult:
        rendered = prompts.render(params.name, dict(params.arguments or {}))
        if rendered is None:
            raise MCPError(INVALID_PARAMS, f"No prompt named {params.name!r}")
        description, text = rendered
        message = PromptMessage(role="user", content=TextContent(type="text", text=text))
        return GetPromptResult(description=description, messages=[message])


def _validate(spec: ToolSpec, arguments: dict[str, Any]) -> BaseModel:
    """The arguments as the tool's model; field names and problems only (values are data)."""
    try:
        return spec.input.model_validate(arguments)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(arguments)", "problem": e["msg"]}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        raise ToolFailure(
            "invalid_arguments", f"Bad arguments for {spec.name}: {summary}", details=problems
        ) from None


def failed(failure: ToolFailure) -> CallToolResult:
    envelope = failure.envelope()
    text = json.dumps(envelope, ensure_ascii=False, default=str)
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=envelope, is_error=True
    )
