"""Glossary guesses: words a question could mean two ways, marked ``ambiguous``.

Three sources, all from names: a column name found in several tables (``status``), one
quantity stored in several units (``revenue`` and ``revenue_cents``), and a money word that
several numeric columns share (``price`` in ``list_price`` and ``unit_price_cents``). Keys,
timestamps and labels (``name``, ``title``) are left out: the planner settles those by the
entity a question names.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from atlas_datasources.model import DatabaseProfile, TableProfile

from atlas_cli.init import guesses, names

_UNIT_SUFFIXES = (*guesses.CENTS_SUFFIXES, "_usd", "_eur", "_gbp", "_dollars", "_amount")
_LABEL_WORDS = names.word_set(
    "name title label description notes note comment comments email phone fax address url"
)
_MONEY_WORDS = names.word_set("revenue sales income profit cost price spend")


def ambiguous_terms(profile: DatabaseProfile, keys: dict[str, set[str]]) -> dict[str, Any]:
    """``{term: body}`` for ``glossary.yml``; ``keys``: a table's key columns, by table key."""
    mappings: dict[str, set[str]] = defaultdict(set)
    for table in profile.tables:
        key = names.table_key(table, profile.default_schema)
        for column in _plain_columns(table, keys.get(key, set())):
            where = f"{key}.{column}"
            mappings[" ".join(names.words(column))].add(where)
            base = names.column_base(column, _UNIT_SUFFIXES)
            mappings[" ".join(names.words(base)) + " (units)"].add(where)
            for word in _MONEY_WORDS & set(names.words(column)):
                mappings[word + " (money)"].add(where)
    return _terms(mappings)


def _plain_columns(table: TableProfile, keys: set[str]) -> list[str]:
    return [
        c.name
        for c in table.columns
        if not c.primary_key
        and c.name not in keys
        and not _labels(c.name)
        and c.dimension_type not in ("date", "timestamp")
    ]


def _labels(column: str) -> bool:
    """What names, describes or reaches one row (``name``, ``title``, ``email``): each
    entity's own, never a question to ask back ("tracks by name" is the tracks' name)."""
    words = names.words(column)
    return bool(words) and words[-1] in _LABEL_WORDS


def _terms(mappings: dict[str, set[str]]) -> dict[str, Any]:
    """Terms that qualify under at least one reason, with the places of every reason."""
    places: dict[str, set[str]] = defaultdict(set)
    reasons: dict[str, list[str]] = defaultdict(list)
    for label, found in sorted(mappings.items()):
        term, _, why = label.partition(" (")
        columns = {p.rsplit(".", 1)[1].lower() for p in found}
        if len(found) < 2 or not term or (why == "units)" and len(columns) < 2):
            continue  # one place, or one name in several tables (a plain term says so)
        places[term] |= found
        reasons[term].append(why.rstrip(")"))
    return {term: _term(term, sorted(places[term]), reasons[term][0]) for term in places}


def _term(term: str, places: list[str], why: str) -> dict[str, Any]:
    reason = {
        "units": f"{term} is stored in more than one unit or form",
        "money": f"several amounts are called {term}",
    }.get(why, f"{term} is a column of several tables")
    return {
        "status": "ambiguous",
        "note": f"{reason[0].upper()}{reason[1:]}: {', '.join(places)}. Ask which one is meant, "
        f"unless the question names the table. {guesses.REVIEW}",
        "tables": sorted({p.rsplit(".", 1)[0] for p in places}),
        "possible_mappings": places,
        guesses.GUESS: True,
    }
