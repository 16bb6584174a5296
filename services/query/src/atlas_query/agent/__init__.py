"""The LLM agent: questions the offline planner cannot answer, streamed token by token.

Modules: ``settings`` (``AgentSettings``, the provider environment), ``providers`` (settings ->
pydantic-ai model), ``prompt``, ``catalog`` and ``tools`` (what the model reads and runs),
``answerer`` (``AgentAnswerer``), ``retries``, ``errors`` (provider failures -> Atlas codes),
``usage`` (``usage.recorded``) and ``router`` (``RoutingAnswerer``, ``build_answerer``: planner,
agent or both by ``ATLAS_PLANNER``). Nothing is imported here, so reading the settings does not
load pydantic-ai. Design: ``docs/adr/0006-llm-agent.md``.
"""
