"""Names: entity names from table names, words for prompts, and identifiers quoted for SQL."""

from __future__ import annotations

import re

from atlas_datasources.model import Dialect, TableProfile

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_PLAIN_LOWER = re.compile(r"^[a-z_][a-z0-9_]*$")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def word_set(text: str) -> frozenset[str]:
    """The words of ``text``: word lists read better as text than as quoted items."""
    return frozenset(text.split())


# Words that are keywords (or functions, like PostgreSQL's ``user``) in at least one dialect:
# a column with such a name must be quoted to mean the column.
_RESERVED = word_set(
    "all and any as asc between by case cast check column constraint create current_date "
    "current_time current_timestamp current_user default desc distinct do else end except "
    "false fetch for foreign from grant group having in index inner interval into is join "
    "key leading left like limit natural not null offset on or order outer primary "
    "references right select session_user table then to trailing true union unique user "
    "using when where window with"
)


def words(name: str) -> list[str]:
    """``OrderItems`` / ``order_items`` / ``Order Details`` -> [order, items]."""
    spaced = _NON_WORD.sub(" ", _CAMEL.sub(" ", name))
    return [word.lower() for word in spaced.split()]


def pascal(name: str) -> str:
    """``order_items`` -> ``OrderItems``; a leading digit gets a ``T`` (names are identifiers)."""
    text = "".join(word.capitalize() for word in words(name)) or "Table"
    return f"T{text}" if text[0].isdigit() else text


def snake(name: str) -> str:
    return "_".join(words(name)) or "table"


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("x", "ch", "sh")):
        return word + "es"
    return word + "s"


def noun_phrase(table: str, *, many: bool) -> str:
    """The table as a phrase, its last word made plural or singular: ``order items``."""
    parts = words(table) or ["row"]
    last = plural(parts[-1]) if many else singular(parts[-1])
    return " ".join([*parts[:-1], last])


def column_base(column: str, suffixes: tuple[str, ...]) -> str:
    """The column without a unit or key suffix: ``amount_cents`` -> ``amount``."""
    lowered = column.lower()
    for suffix in suffixes:
        if lowered.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)].rstrip("_")
    return column


def quote(identifier: str, dialect: Dialect) -> str:
    """The identifier as SQL in the dialect: bare when it can be, quoted otherwise.

    PostgreSQL folds bare names to lower case, so ``InvoiceId`` must be quoted there; the
    other dialects compare names case-insensitively.
    """
    plain = _PLAIN_LOWER if dialect == "postgres" else _PLAIN
    if plain.match(identifier) and identifier.lower() not in _RESERVED:
        return identifier
    if dialect == "mysql":
        return "`" + identifier.replace("`", "``") + "`"
    return '"' + identifier.replace('"', '""') + '"'


def table_key(table: TableProfile, default_schema: str | None) -> str:
    """How the profile names the table in a foreign key: qualified outside the default schema."""
    if table.schema_name and table.schema_name != default_schema:
        return f"{table.schema_name}.{table.name}"
    return table.name


def table_sql(table: TableProfile, default_schema: str | None, dialect: Dialect) -> str:
    """The entity's ``table``: quoted where needed, schema-qualified outside the default."""
    name = quote(table.name, dialect)
    if table.schema_name and table.schema_name != default_schema:
        return f"{quote(table.schema_name, dialect)}.{name}"
    return name
