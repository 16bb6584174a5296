"""Clarifying questions: the options of an ambiguous glossary term, in the layer's words."""

from __future__ import annotations

from atlas_query.planner.plan import Clarify
from atlas_query.semantic import GlossaryTerm

CLARIFY_PREFIX = "Which one do you mean"


def option_label(mapping: str) -> str:
    """``"GMV: SUM(orders.total_cents) ..."`` -> ``"GMV"``; a mapping without a colon as is."""
    head = mapping.split(":", 1)[0].strip()
    return head or mapping.strip()


def clarify_term(term: str, body: GlossaryTerm) -> Clarify:
    options = [option_label(m) for m in body.possible_mappings] or [body.note or term]
    return Clarify(term=term, options=options, question=question(term, options))


def question(term: str, options: list[str]) -> str:
    listed = _join(options)
    return f'"{term}" can mean different things here: {listed}. {CLARIFY_PREFIX}?'


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" or {items[-1]}"
