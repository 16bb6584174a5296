"""The Atlas semantic layer format as pydantic models (see shared/SEMANTIC_LAYER.md).

Unknown keys are ignored (layers written for other tools carry extras). An item whose enum
field holds an unknown value is left out with a warning rather than failing the whole layer;
the loader passes ``{"file": ..., "warnings": [...]}`` as validation context to collect them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from atlas_query.semantic.fields import Text, as_list, keep_known, warn

EntityType = Literal["fact_table", "dimension_table", "view", "materialized_view"]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
DimensionType = Literal["string", "number", "date", "timestamp", "boolean"]
MeasureType = Literal["count", "count_distinct", "sum", "avg", "min", "max", "count_where"]
Relationship = Literal["many_to_one", "one_to_many", "one_to_one", "many_to_many"]
TermStatus = Literal["defined", "ambiguous"]
MetricType = Literal["atomic", "derived", "breakdown"]
Objective = Literal["maximize", "minimize"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Dimension(_Model):
    name: Text
    sql: Text | None = None
    type: DimensionType | None = None
    description: Text = ""
    primary_key: bool = False
    virtual: bool = False
    sample_values: Annotated[list[Any], BeforeValidator(as_list)] = Field(default_factory=list)
    semantic_type: Text | None = None
    unique_count: int | None = None
    null_count: int | None = None

    @property
    def expression(self) -> str:
        """The SQL of the dimension: its ``sql``, else its name as a column."""
        return self.sql or self.name


class Measure(_Model):
    name: Text
    sql: Text | None = None
    type: MeasureType | None = None
    description: Text = ""


class JoinColumns(_Model):
    from_: Text = Field(alias="from")
    to: Text


class Join(_Model):
    target_entity: Text
    relationship: Relationship | None = None
    join_columns: JoinColumns | None = None
    description: Text = ""


class QueryPattern(_Model):
    description: Text = ""
    sql: Text


class Entity(_Model):
    name: Text
    table: Text
    type: EntityType | None = None
    grain: Text = ""
    description: Text = ""
    use_cases: Annotated[list[Text], BeforeValidator(as_list)] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    query_patterns: list[QueryPattern] = Field(default_factory=list)
    # The datasource connection the YAML names (upstream's field); reported to clients only.
    connection: Text | None = None
    file: str | None = None

    @field_validator("dimensions", mode="before")
    @classmethod
    def _known_dimension_types(cls, items: Any, info: ValidationInfo) -> Any:
        return keep_known(items, "type", get_args(DimensionType), info)

    @field_validator("measures", mode="before")
    @classmethod
    def _known_measure_types(cls, items: Any, info: ValidationInfo) -> Any:
        return keep_known(items, "type", get_args(MeasureType), info)

    @field_validator("joins", mode="before")
    @classmethod
    def _known_relationships(cls, items: Any, info: ValidationInfo) -> Any:
        return keep_known(items, "relationship", get_args(Relationship), info)

    @field_validator("query_patterns", mode="before")
    @classmethod
    def _patterns_list(cls, items: Any) -> Any:
        return as_list(items)


class CatalogEntity(_Model):
    name: Text
    file: Text | None = None
    grain: Text = ""
    description: Text = ""
    use_for: Annotated[list[Text], BeforeValidator(as_list)] = Field(default_factory=list)
    common_questions: Annotated[list[Text], BeforeValidator(as_list)] = Field(
        default_factory=list
    )


class CatalogMetric(_Model):
    file: Text
    description: Text = ""


class Catalog(_Model):
    version: Text | None = None
    name: Text = ""
    description: Text = ""
    entities: Annotated[list[CatalogEntity], BeforeValidator(as_list)] = Field(
        default_factory=list
    )
    glossary: Text | None = None
    metrics: Annotated[list[CatalogMetric], BeforeValidator(as_list)] = Field(
        default_factory=list
    )
    # Questions offered on an empty chat (GET /api/v1/starter-prompts). ``starterPrompts`` is
    # the name the issue and Atlas's clients use; ``starter_prompts`` matches this file's style.
    starter_prompts: Annotated[list[Text], BeforeValidator(as_list)] = Field(
        default_factory=list,
        validation_alias=AliasChoices("starterPrompts", "starter_prompts"),
    )


class GlossaryTerm(_Model):
    status: TermStatus
    definition: Text | None = None
    note: Text | None = None
    tables: Annotated[list[Text], BeforeValidator(as_list)] = Field(default_factory=list)
    possible_mappings: Annotated[list[Text], BeforeValidator(as_list)] = Field(
        default_factory=list
    )


class Glossary(_Model):
    terms: dict[str, GlossaryTerm] = Field(default_factory=dict)

    @field_validator("terms", mode="before")
    @classmethod
    def _known_statuses(cls, terms: Any, info: ValidationInfo) -> Any:
        if not isinstance(terms, dict):
            return {} if terms is None else terms
        allowed = get_args(TermStatus)
        kept = {}
        for term, body in terms.items():
            status = body.get("status") if isinstance(body, dict) else None
            if status is not None and status not in allowed:
                warn(info, f"terms.{term}.status", status, allowed)
                continue
            kept[str(term)] = body
        return kept


class MetricSource(_Model):
    entity: Text
    measure: Text


class Metric(_Model):
    id: Text
    label: Text = ""
    description: Text = ""
    type: MetricType | None = None
    sql: Text
    unit: Text | None = None
    aggregation: Text | None = None
    objective: Objective | None = None
    source: MetricSource | None = None


class MetricsFile(_Model):
    metrics: list[Metric] = Field(default_factory=list)

    @field_validator("metrics", mode="before")
    @classmethod
    def _known_metric_enums(cls, items: Any, info: ValidationInfo) -> Any:
        items = keep_known(items, "type", get_args(MetricType), info)
        return keep_known(items, "objective", get_args(Objective), info)

