"""What profiling a database yields: the contract between the profiler and `atlas init`.

Everything here is plain data, JSON-safe (``model_dump(mode="json")``): the profiler fills it from
the catalogs and bounded samples of one datasource; the layer writer turns it into a semantic
layer. Nothing here holds a credential.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Dialect = Literal["postgres", "mysql", "sqlite", "duckdb"]
# The semantic layer's dimension types (../shared/SEMANTIC_LAYER.md).
DimensionType = Literal["string", "number", "date", "timestamp", "boolean"]
TableKind = Literal["table", "view", "materialized_view"]
Scalar = str | int | float | bool | None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ColumnProfile(_Frozen):
    name: str
    data_type: str  # as the database names it (``numeric(10,2)``, ``varchar(64)``, ``INTEGER``)
    dimension_type: DimensionType
    nullable: bool = True
    primary_key: bool = False
    comment: str | None = None  # the column's comment in the catalog (a layer description)
    # Statistics, None when not computed (a type without them, or the profiling query timed out).
    null_fraction: float | None = None  # 0..1, over the rows read (all, or the sample)
    distinct_count: int | None = None  # exact for small tables, estimated from the sample for big
    distinct_estimated: bool = False
    # Every value when the column has few distinct ones (low cardinality), most frequent first.
    sample_values: list[Scalar] = Field(default_factory=list)
    min_value: Scalar = None  # numbers and dates/timestamps only (ISO strings for dates)
    max_value: Scalar = None


class ForeignKey(_Frozen):
    """``table.columns`` -> ``ref_table.ref_columns``; one column each in almost every case."""

    columns: list[str]
    ref_table: str  # as written in the layer: schema-qualified when not the default schema
    ref_columns: list[str]
    inferred: bool = False  # False: declared in the catalog; True: guessed from names and values
    # For inferred keys: the share of non-null values found in the referenced column (0..1).
    overlap: float | None = None


class TableProfile(_Frozen):
    name: str  # bare table name
    schema_name: str | None = None  # None where the dialect has no schemas (SQLite, MySQL db)
    kind: TableKind = "table"
    row_count: int
    row_count_estimated: bool = False  # from the catalog statistics (big tables)
    sampled: bool = False  # statistics read from a bounded sample, not every row
    comment: str | None = None
    columns: list[ColumnProfile]
    primary_key: list[str] = Field(default_factory=list)
    foreign_keys: list[ForeignKey] = Field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema_name}.{self.name}" if self.schema_name else self.name


class DatabaseProfile(_Frozen):
    dialect: Dialect
    database: str  # the database / file name, never the URL (it may carry a password)
    default_schema: str | None = None  # where bare names resolve (``public``, ``main``)
    tables: list[TableProfile]
    # Tables or columns that could not be profiled, with the one-line reason (timeout, ...).
    warnings: list[str] = Field(default_factory=list)
