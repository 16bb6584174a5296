"""What a threshold applies to, from the phrases around its ``<cmp>`` marker.

- A numeric column right before it ("a retail price under 1000") filters rows on that column.
- An entity right before it ("orders over 300000", "tracks longer than 10 minutes") filters on
  the entity's one amount column (or its one duration column for a length); several
  candidates are a guess and are declined.
- An entity right after it ("customers with more than 20 orders") counts that entity per row
  of the entity before it and keeps the groups over the threshold (``HAVING``); "how many
  customers ..." counts those groups.

A metric in any of these places is declined: a metric is defined as one total, and a
threshold per row or per group would change what it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_query.planner.plan import Declined
from atlas_query.planner.reading import VERSUS, Reading
from atlas_query.planner.refs import Ref
from atlas_query.planner.roles import Role
from atlas_query.planner.text import root, stems
from atlas_query.planner.thresholds import CMP, Threshold, duration_like, money_like
from atlas_query.semantic import Dimension, Entity

_BRIDGE = frozenset(("are", "is", "was", "were", "have", "has", "had", "a", "an", "the",
                     "with", "that", "who", "whose", "which", "where", "of", "cost", "costs",
                     "priced", "at"))


@dataclass(frozen=True)
class RowCondition:
    columns: tuple[Ref, ...]  # dimension refs; the chooser picks the reachable one
    threshold: Threshold


@dataclass(frozen=True)
class ColumnCompare:
    entity: str
    left: str  # the column the verb names ("received": the receipt date)
    op: str
    right: str  # the column named after "after their"


@dataclass(frozen=True)
class Having:
    op: str
    number: float
    count_groups: bool  # "how many customers have more than 20 orders"


def read_condition(reading: Reading, roles: list[Role], entities: dict[str, Entity],
                   numeric: set[tuple[str, str]], count_end: int
                   ) -> RowCondition | Having | None:
    threshold = reading.threshold
    if threshold is None:
        return None
    at = next(t.index for t in reading.tokens if t.text == CMP)
    after = next((r for r in roles if r.mention.start == at + 1), None)
    before = _before(reading, roles, at)
    for role in (after, before):
        if role is not None and role.mention.of("metric"):
            raise Declined("A threshold on a metric would change how the layer defines it; "
                           "ask for the metric as defined.")
    if after is not None:
        return _having(threshold, before, after, count_end)
    if before is not None and before.mention.of("measure") and not before.mention.of("entity"):
        return _having_total(threshold, reading, roles, before, count_end)
    if before is None:
        raise Declined("I can't tell what the threshold applies to.")
    return _row(threshold, before, entities, numeric)


def _before(reading: Reading, roles: list[Role], at: int) -> Role | None:
    index = at - 1
    while index >= 0 and reading.tokens[index].text in _BRIDGE:
        index -= 1
    return next((r for r in roles if r.mention.end == index + 1), None)


def _having(threshold: Threshold, before: Role | None, after: Role, count_end: int) -> Having:
    counted = after.kind == "entity" and not after.mention.measure_like
    owner = before is not None and before.kind in ("entity", "owner") \
        and bool(before.mention.of("entity"))
    if not counted or before is None or not owner:
        raise Declined("I can only compare a count of rows per group with a number.")
    if threshold.money or threshold.percent or threshold.unit or threshold.length:
        raise Declined("A count of rows has no unit to compare with.")
    before.kind = "group"
    return Having(threshold.op, threshold.number, count_end == before.mention.start)


def _having_total(threshold: Threshold, reading: Reading, roles: list[Role], measured: Role,
                  count_end: int) -> Having:
    """"Customers who spent more than $45": the groups of the entity named before the
    measure, kept by its total."""
    owner = next((r for r in reversed(roles) if r.mention.end <= measured.mention.start
                  and r.kind in ("entity", "owner") and r.mention.of("entity")), None)
    cents = any("cents" in r.name.lower() for r in measured.mention.of("measure"))
    if owner is None or cents or threshold.percent or threshold.unit or threshold.length:
        raise Declined("I can't tell whose total the threshold applies to.")
    owner.kind = "group"
    return Having(threshold.op, threshold.number, count_end == owner.mention.start)


def _row(threshold: Threshold, before: Role, entities: dict[str, Entity],
         numeric: set[tuple[str, str]]) -> RowCondition:
    columns = [r for r in before.mention.of("dimension") if (r.entity, r.name) in numeric]
    if columns and before.kind in ("dimension", "group", "measure", "order"):
        before.kind = "condition"
    elif before.kind == "entity":
        columns = [_amount_column(threshold, e, entities[e.name], numeric)
                   for e in before.mention.of("entity")]
    else:
        raise Declined("I can't tell which column the threshold applies to.")
    for ref in columns:
        dimension = next(d for d in entities[ref.entity or ""].dimensions if d.name == ref.name)
        if threshold.compare(dimension) is None:
            raise Declined(f"{ref.name} is not stored in the unit the question uses.")
    return RowCondition(tuple(columns), threshold)


def _amount_column(threshold: Threshold, ref: Ref, entity: Entity,
                   numeric: set[tuple[str, str]]) -> Ref:
    """"Orders over 300000": the entity's one money column (one duration column for
    "longer than"); none or several is not guessed."""
    wanted = duration_like if threshold.unit or threshold.length else money_like
    found: list[Dimension] = [d for d in entity.dimensions
                              if (entity.name, d.name) in numeric and wanted(d)]
    if len(found) != 1:
        words = ", ".join(d.name for d in found) or "none"
        raise Declined(f"I can't tell which column of {ref.name} the threshold is on "
                       f"(candidates: {words}).")
    return Ref("dimension", found[0].name, entity.name)


def read_versus(reading: Reading, roles: list[Role], entities: dict[str, Entity],
                time_types: set[tuple[str, str]]) -> ColumnCompare | None:
    """"Line items received after their commit date": the date column whose description
    uses the verb, compared with the date column named; one of each, on one entity."""
    if reading.versus is None:
        return None
    verb, op = reading.versus
    at = next(t.index for t in reading.tokens if t.text == VERSUS)
    after = next((r for r in roles if r.mention.start == at + 1), None)
    rights = [r for r in (after.mention.of("dimension") if after else [])
              if (r.entity, r.name) in time_types]
    if after is None or len(rights) != 1:
        raise Declined(f'I can\'t tell which date "{verb}" is compared with.')
    right = rights[0]
    entity = entities[right.entity or ""]
    lefts = [d.name for d in entity.dimensions if (entity.name, d.name) in time_types
             and d.name != right.name and root(verb) in {root(w) for w in stems(d.description)}]
    if len(lefts) != 1:
        raise Declined(f'I can\'t tell which date of {entity.name} "{verb}" means.')
    after.kind = "compared"
    return ColumnCompare(entity.name, lefts[0], op, right.name)
