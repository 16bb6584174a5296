"""Prompt templates: ready-made requests a user picks in their MCP client."""

from __future__ import annotations

from dataclasses import dataclass

from mcp_types import Prompt, PromptArgument


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    text: str
    arguments: dict[str, str]


TEMPLATES = {
    t.name: t
    for t in (
        Template(
            "explain-table",
            "Explain a table",
            "What a table holds, its columns, how it joins, and questions it answers",
            "Using Atlas, explain the {table} table: call describeEntity for it, then say in "
            "plain words what one row is, what the important columns mean (with example "
            "values), how it joins to other tables, and three questions it can answer.",
            {"table": "The entity or table name, e.g. 'orders'"},
        ),
        Template(
            "investigate-metric-change",
            "Investigate a metric's change",
            "Why a metric moved between two periods, broken down by its dimensions",
            "Using Atlas, find out why {metric} changed between {period1} and {period2}. Run "
            "the metric for both periods, then break it down by its main dimensions to find "
            "which segments explain most of the change. Show the numbers and the SQL.",
            {
                "metric": "The metric, e.g. 'signups' or 'net revenue'",
                "period1": "The earlier period, e.g. 'last month'",
                "period2": "The later period, e.g. 'this month'",
            },
        ),
        Template(
            "top-by-metric",
            "Top N by a metric",
            "The top N items ranked by a metric",
            "Using Atlas's query tool: what are the top {count} {entity} by {metric}?",
            {
                "count": "How many, e.g. '10'",
                "entity": "What to rank, e.g. 'products'",
                "metric": "Ranked by, e.g. 'revenue'",
            },
        ),
        Template(
            "breakdown",
            "Break a metric down",
            "A metric split by one dimension, with totals and shares",
            "Using Atlas's query tool: break {metric} down by {dimension}, with the total and "
            "each group's share.",
            {
                "metric": "The metric, e.g. 'orders'",
                "dimension": "The dimension, e.g. 'country'",
            },
        ),
    )
}


def listing() -> list[Prompt]:
    return [
        Prompt(
            name=t.name,
            title=t.title,
            description=t.description,
            arguments=[
                PromptArgument(name=n, description=d, required=True) for n, d in t.arguments.items()
            ],
        )
        for t in TEMPLATES.values()
    ]


def render(name: str, arguments: dict[str, str]) -> tuple[str, str] | None:
    """The prompt's description and text, or None for an unknown prompt.

    A missing argument keeps its ``{placeholder}``: the model can still ask for it.
    """
    template = TEMPLATES.get(name)
    if template is None:
        return None
    text = template.text
    for key in template.arguments:
        text = text.replace("{" + key + "}", arguments.get(key, "{" + key + "}"))
    return template.description, text
