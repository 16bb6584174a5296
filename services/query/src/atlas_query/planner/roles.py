"""What each layer phrase does in its question, from the words around it.

``by country`` groups; ``top 5 countries`` groups what is ranked; ``the most users`` is the
measure to rank by; ``delivered`` filters (``not delivered`` excludes); ``users in Germany``
says whose country; ``the pro plan`` names the dimension of a value. Plain English grammar,
nothing about a particular layer.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from atlas_query.planner.reading import GAP, HEAD, SUP, Mention, Reading
from atlas_query.planner.refs import Ref
from atlas_query.planner.text import NEGATIONS, STOPWORDS, WHICH_WORDS

_ARTICLES = frozenset(["the", "a", "an", "our", "their", "its", "my", "your"])
_GROUP_CUES = frozenset(("by", "per", "each", "across", "every", HEAD))
_CUE_WORDS = frozenset(("by", "per", "each", "across", "every", HEAD, SUP, "which", "what"))
_NEAR = frozenset(("in", "on", "from", "with", "of", "for", "the", "a", "an", "at", "who",
                   "are", "is", "that", "whose"))
_BOOLEAN_PREFIXES = ("is_", "has_")
_AUXILIARIES = frozenset(("did", "do", "does"))
_COPULAS = frozenset(("is", "are", "was", "were", "be", "been", "being"))


@dataclass
class Role:
    mention: Mention
    kind: str  # group order filter measure entity dimension time boolean ambiguous owner
    which: bool = False  # introduced by which / what
    negated: bool = False
    values: list[Ref] = field(default_factory=list)  # a filter's candidate values
    owner: str | None = None  # the entity a filter's value belongs to, when said


def assign(reading: Reading, time_types: Mapping[tuple[str, str], str]) -> list[Role]:
    reading.mentions = _without_verbs(reading, _qualified(reading.mentions, time_types))
    roles = [role_of(reading, m, time_types) for m in reading.mentions]
    for role in roles:
        if role.kind == "filter":
            role.values = role.mention.of("value")
            role.negated = _negated(reading, role.mention)
    _absorb_dimensions(reading, roles)
    _attach_owners(reading, roles)
    _chain_groups(reading, roles)
    _rank_by_entity(reading, roles)
    return roles


def _qualified(mentions: list[Mention], time_types: Mapping[tuple[str, str], str]
               ) -> list[Mention]:
    """``ticket priority``, ``user country``: an entity right before one of its dimensions
    says whose dimension it is; the two read as one phrase. (Not for time columns: in
    "organizations created in 2024" the entity is what is counted.)"""
    merged: list[Mention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if previous is not None and previous.end == mention.start and "entity" in previous.kinds:
            owners = {r.name for r in previous.of("entity")}
            own = [r for r in mention.of("dimension") if r.entity in owners
                   and (r.entity, r.name) not in time_types]
            if own and mention.top == "dimension":
                merged[-1] = Mention(previous.start, mention.end, frozenset(own))
                continue
        merged.append(mention)
    return merged


def _without_verbs(reading: Reading, mentions: list[Mention]) -> list[Mention]:
    """"How many tickets did Acme open last month": after did / do / does, a one-word value
    that ends its clause is the question's verb ("open"), not a filter on status."""
    words = reading.words
    start = next((i for i, w in enumerate(words) if w in _AUXILIARIES), None)
    if start is None:
        return mentions
    kept = []
    for mention in mentions:
        after = words[mention.end] if mention.end < len(words) else ""
        verb = (mention.start > start and mention.end - mention.start == 1
                and mention.top == "value" and (after in ("", GAP) or after in STOPWORDS)
                and words[mention.start - 1] not in _COPULAS)
        if verb:
            reading.loose.append(reading.tokens[mention.start])
        else:
            kept.append(mention)
    return kept


def _cue(reading: Reading, mention: Mention) -> str:
    """The word that introduces a mention, looking past articles and up to two words no
    phrase took ("top 5 most expensive products": the cue of "products" is "top 5")."""
    taken = {i for m in reading.mentions for i in range(m.start, m.end)}
    index, skipped = mention.start - 1, 0
    while index >= 0:
        token = reading.tokens[index]
        if token.text in _ARTICLES or token.text in _COPULAS:
            index -= 1
            continue
        loose = index not in taken and token.text not in _CUE_WORDS
        if loose and skipped < 2 and token.text not in STOPWORDS:
            index, skipped = index - 1, skipped + 1
            continue
        return token.text
    return ""


def role_of(reading: Reading, mention: Mention, time_types: Mapping[tuple[str, str], str]) -> Role:
    cue = _cue(reading, mention)
    top = mention.top
    if top == "ambiguous":
        return Role(mention, "ambiguous")
    if top == "value" and cue not in WHICH_WORDS and cue != HEAD:
        return Role(mention, "filter")  # "by phone", "across EMEA": a value filters
    if cue in WHICH_WORDS and mention.measure_like:
        return Role(mention, "measure")  # "what's the GMV": asked for, not grouped
    if cue in _GROUP_CUES or cue in WHICH_WORDS:
        kind = "order" if mention.measure_like else "group"
        return Role(mention, kind, which=cue in WHICH_WORDS or cue == HEAD)
    if cue == SUP:
        return Role(mention, "order")
    return _plain_role(reading, mention, time_types)


def _plain_role(reading: Reading, mention: Mention,
                time_types: Mapping[tuple[str, str], str]) -> Role:
    """A phrase no cue introduces: what it names decides what it does."""
    if mention.measure_like:
        return Role(mention, "measure")
    if mention.top == "entity":
        return Role(mention, "entity")
    dimensions = mention.of("dimension")
    if dimensions and all(time_types.get((d.entity or "", d.name)) for d in dimensions):
        return Role(mention, "time")
    if dimensions and all(d.name.startswith(_BOOLEAN_PREFIXES) for d in dimensions):
        return Role(mention, "boolean", negated=_negated(reading, mention))
    return Role(mention, "dimension")


def _negated(reading: Reading, mention: Mention) -> bool:
    window = reading.tokens[max(0, mention.start - 3):mention.start]
    return any(token.text in NEGATIONS for token in window)


def _gap(reading: Reading, first: Mention, second: Mention) -> bool:
    """Whether only a few small words stand between two mentions (in either order)."""
    left, right = (first, second) if first.end <= second.start else (second, first)
    between = reading.tokens[left.end:right.start]
    return len(between) <= 3 and all(t.text in _NEAR for t in between)


def _absorb_dimensions(reading: Reading, roles: list[Role]) -> None:
    """``the pro plan``, ``status delivered``: the dimension names the value's column."""
    for role in roles:
        if role.kind != "dimension":
            continue
        named = {(d.entity, d.name) for d in role.mention.of("dimension")}
        for other in roles:
            if other.kind != "filter" or not _gap(reading, role.mention, other.mention):
                continue
            kept = [v for v in other.values if (v.entity, v.name) in named]
            if kept:
                other.values = kept
                role.kind = "absorbed"
                break


def _chain_groups(reading: Reading, roles: list[Role]) -> None:
    """``by plan and country``: a dimension joined by "and" to a group is a group too."""
    for previous, role in itertools.pairwise(roles):
        between = [t.text for t in reading.tokens[previous.mention.end:role.mention.start]]
        if previous.kind == "group" and role.kind == "dimension" and between in (["and"], []):
            role.kind = "group"


def _rank_by_entity(reading: Reading, roles: list[Role]) -> None:
    """``top 3 countries by purchases``: ranked by how many rows of the entity, so the
    entity is what is counted, not a second grouping."""
    if reading.ranking is None:
        return
    for index, role in enumerate(roles):
        plain_entity = role.mention.of("entity") and not role.mention.of("dimension")
        ranked_before = any(r.kind == "group" and r.which for r in roles[:index])
        if role.kind == "group" and not role.which and plain_entity and ranked_before:
            role.kind = "entity"


def _attach_owners(reading: Reading, roles: list[Role]) -> None:
    """``users in Germany``, ``business users``: the entity the value belongs to."""
    for role in roles:
        entities = {r.name for r in role.mention.of("entity")}
        ownable = role.kind in ("entity", "measure") or (role.kind == "group" and not role.which)
        if not entities or not ownable:
            continue
        for other in roles:
            if other.kind != "filter" or not _gap(reading, role.mention, other.mention):
                continue
            kept = [v for v in other.values if v.entity in entities]
            if kept:
                other.values = kept
                other.owner = kept[0].entity
                role.kind = "owner" if role.kind in ("entity", "group") else role.kind
