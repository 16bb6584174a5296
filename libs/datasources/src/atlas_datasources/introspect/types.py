"""Database type names -> the semantic layer's dimension types, per dialect.

Each function returns ``(dimension_type, comparable, ordered)``: ``comparable`` when values
are scalars with equality (distinct counts and sample values make sense), ``ordered`` when
min/max do (numbers, dates, timestamps). Anything unknown is a ``string`` that is only counted.
"""

from __future__ import annotations

import re

from atlas_datasources.model import DimensionType

TypeFacts = tuple[DimensionType, bool, bool]

_NUMBER: TypeFacts = ("number", True, True)
_STRING: TypeFacts = ("string", True, False)
_OPAQUE: TypeFacts = ("string", False, False)  # json, blobs, arrays, geometry: counted only
_BOOLEAN: TypeFacts = ("boolean", True, False)
_DATE: TypeFacts = ("date", True, True)
_TIMESTAMP: TypeFacts = ("timestamp", True, True)


def postgres_type(type_name: str, category: str) -> TypeFacts:
    """``category`` is ``pg_type.typcategory`` of the (domain's base) type."""
    if category == "B":
        return _BOOLEAN
    if category == "N":
        return _NUMBER
    if category == "D":
        if type_name == "date":
            return _DATE
        return _TIMESTAMP if type_name.startswith("timestamp") else _STRING
    if category in ("S", "E", "I", "T") or type_name == "uuid":
        return _STRING
    return _OPAQUE


_MYSQL_NUMBERS = {
    "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
    "float", "double", "real", "year",
}  # fmt: skip
_MYSQL_STRINGS = {
    "char",
    "varchar",
    "tinytext",
    "text",
    "mediumtext",
    "longtext",
    "enum",
    "set",
    "time",
    "uuid",
    "inet4",
    "inet6",
}


def mysql_type(data_type: str, column_type: str) -> TypeFacts:
    """``data_type`` / ``column_type`` as in information_schema.COLUMNS."""
    base = data_type.lower()
    full = column_type.lower()
    if full.startswith(("tinyint(1)", "bit(1)")) or base in ("bool", "boolean"):
        return _BOOLEAN  # MySQL's BOOLEAN is tinyint(1)
    if base in _MYSQL_NUMBERS:
        return _NUMBER
    if base == "date":
        return _DATE
    if base in ("datetime", "timestamp"):
        return _TIMESTAMP
    if base in _MYSQL_STRINGS:
        return _STRING
    return _OPAQUE


def sqlite_type(declared: str) -> TypeFacts:
    """SQLite's affinity rules (section 3.1 of its datatype doc), plus the names people use for
    booleans and dates, which SQLite stores as numbers or text."""
    name = declared.upper()
    if "BOOL" in name:
        return _BOOLEAN
    if "TIMESTAMP" in name or "DATETIME" in name:
        return _TIMESTAMP
    if re.fullmatch(r"\s*DATE\s*", name):
        return _DATE
    if "INT" in name:
        return _NUMBER
    if any(word in name for word in ("CHAR", "CLOB", "TEXT")):
        return _STRING
    if "BLOB" in name:
        return _OPAQUE
    if any(word in name for word in ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL")):
        return _NUMBER
    return _STRING  # no declared type: any value; SQLite compares them all


_DUCKDB_NUMBERS = re.compile(
    r"(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT|DECIMAL|NUMERIC|FLOAT|DOUBLE|REAL)"
    r"(\(.*\))?"
)


def duckdb_type(data_type: str) -> TypeFacts:
    name = data_type.upper()
    if name.endswith("]") or name.startswith(("STRUCT", "MAP", "UNION", "JSON", "BLOB", "BIT")):
        return _OPAQUE
    if name == "BOOLEAN":
        return _BOOLEAN
    if _DUCKDB_NUMBERS.fullmatch(name):
        return _NUMBER
    if name == "DATE":
        return _DATE
    if name.startswith("TIMESTAMP"):
        return _TIMESTAMP
    return _STRING  # VARCHAR, UUID, ENUM(...), TIME, INTERVAL
