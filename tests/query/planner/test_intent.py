"""Questions to intents and plans, by calling the planning functions directly: what the
layer's words map to, which metric is used verbatim, composed or declined, and when the
planner asks or declines instead of guessing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from atlas_query.planner import CannotAnswer, Clarify, Planned, SemanticPlanner
from atlas_query.planner import synonyms as syn
from atlas_query.planner.refs import Ref
from atlas_query.planner.text import stems
from atlas_query.planner.vocabulary import Vocabulary
from atlas_query.semantic import SemanticLayer


def planned(planner: SemanticPlanner, question: str) -> Planned:
    decision = planner.decide(question)
    assert isinstance(decision, Planned), decision
    return decision


def test_synonyms_read_from_the_layers_free_text() -> None:
    text = 'Customer orders (purchases, sales, transactions): about 40,000. Also "AOV", net sales.'
    assert syn.leading_parenthetical(text) == ["purchases", "sales", "transactions"]
    assert syn.quoted(text) == ["AOV"]
    assert syn.also_lists(text) == ["AOV", "net sales."[:-1]]
    assert syn.also_lists("(also called source, channel)") == ["source", "channel"]
    assert syn.name_phrases("price_cents") == ["price cents", "price"]
    assert syn.name_phrases("is_paid_plan") == ["is paid plan", "paid plan"]
    assert syn.measure_phrases("avg_price_cents", "avg")[:2] == ["average price cents",
                                                                  "avg price cents"]
    assert "number of signup" in {" ".join(stems(p)) for p in
                                  syn.measure_phrases("signup_count", "count")}


def test_vocabulary_indexes_names_values_and_glossary(demo_layer: SemanticLayer) -> None:
    vocab = Vocabulary(demo_layer)
    assert Ref("metric", "total_gmv") in vocab.lookup(stems("gross revenue"), ())
    assert Ref("metric", "average_order_value") in vocab.lookup(stems("AOV"), ())
    assert Ref("ambiguous", "revenue") in vocab.lookup(stems("revenue"), ())
    assert vocab.lookup(("open",), ("germany",)) == {
        Ref("value", "country", "Users", "Germany"), Ref("value", "country", "Orders", "Germany")}
    # A defined term whose definition names one sample value is that filter.
    assert Ref("value", "status", "Orders", "refunded") in vocab.lookup(stems("refunds"), ())
    # An ambiguous term is never a plain synonym, even where a description quotes it.
    assert all(r.kind == "ambiguous" for r in vocab.lookup(stems("customers"), ()))


@pytest.mark.parametrize(("question", "metric", "mode"), [
    ("What is the total GMV?", "total_gmv", "verbatim"),
    ("GMV last month", "total_gmv", "composed"),
    ("monthly GMV", "gmv_by_month", "verbatim"),  # the breakdown metric, asked as defined
    ("signups by week", "weekly_signups", "verbatim"),
    ("Weekly signups in 2026", "signups", "composed"),
    ("Net revenue by category last month", "net_revenue_by_category", "composed"),
    ("AOV by country", "average_order_value", "composed"),
])
def test_metrics_verbatim_or_composed(demo_planner: SemanticPlanner, question: str,
                                      metric: str, mode: str) -> None:
    plan = planned(demo_planner, question).plan
    assert plan.metric == metric
    assert plan.details()["mode"] == mode


def test_composition_keeps_the_metrics_filters(demo_planner: SemanticPlanner) -> None:
    sql = planned(demo_planner, "net revenue in Germany").sql
    assert "NOT status IN ('cancelled', 'refunded')" in sql and "country = 'Germany'" in sql
    assert "/ 100.0" in sql  # the metric's own expression, in dollars


@pytest.mark.parametrize("question", [
    "Cancellation rate last month",  # a derived metric with no source measure
    "Signup to order conversion by plan",  # a subquery: never taken apart
])
def test_metrics_that_cannot_be_composed_are_declined(demo_planner: SemanticPlanner,
                                                       question: str) -> None:
    decision = demo_planner.decide(question)
    assert isinstance(decision, CannotAnswer)
    assert "definition" in decision.reason
    assert decision.suggestions


@pytest.mark.parametrize(("question", "term", "options"), [
    ("What was revenue last month?", "revenue", ["GMV", "Net revenue"]),
    ("customers by country", "customers", ["All users", "Buyers", "Paying subscribers"]),
    ("sales by category", "sales", ["Number of orders", "Units sold", "Sales amount (GMV)"]),
])
def test_ambiguous_terms_get_a_clarifying_question(demo_planner: SemanticPlanner,
                                                   question: str, term: str,
                                                   options: list[str]) -> None:
    decision = demo_planner.decide(question)
    assert isinstance(decision, Clarify)
    assert (decision.term, decision.options) == (term, options)
    assert all(option in decision.question for option in options)


def test_an_ambiguous_term_is_settled_by_the_entity_named(
        support_planner: SemanticPlanner) -> None:
    assert "GROUP BY status" in planned(support_planner, "tickets by status").sql
    assert "FROM agents" in planned(support_planner, "agents by status").sql
    assert isinstance(support_planner.decide("breakdown by status"), Clarify)


def test_the_words_of_the_question_pick_the_time_column(
        support_planner: SemanticPlanner) -> None:
    assert "resolved_at >=" in planned(support_planner, "tickets solved last week").sql
    assert "created_at >=" in planned(support_planner, "tickets opened last week").sql
    unsure = support_planner.decide("how many tickets last week")
    assert isinstance(unsure, Clarify) and len(unsure.options) == 2


@pytest.mark.parametrize("question", [
    "What is our churn rate?",  # an unknown word
    "average order value in the US",  # a name the layer does not know, even if described
    "What is the average number of orders per user?",  # an operator nothing consumed
    "How many users have orders?",  # an entity that relates to nothing asked
    "Top 5 products by net revenue",  # would repeat rows (one-to-many join)
    "total GMV and net revenue last month",  # two measures at once
    "How many orders over $100 were placed?",  # a number nothing consumed
    "how many tickets did Acme Corp open last month",  # 'open' is a verb here, not a value
])
def test_declines_rather_than_guess(demo_planner: SemanticPlanner, question: str) -> None:
    decision = demo_planner.decide(question)
    assert isinstance(decision, CannotAnswer), decision
    assert decision.reason and decision.closest


def test_verbs_are_not_mistaken_for_values(support_planner: SemanticPlanner) -> None:
    sql = planned(support_planner, "how many tickets did Acme Corp open last month").sql
    assert "status" not in sql and "created_at >=" in sql and "'Acme Corp'" in sql


def test_joins_follow_declared_many_to_one_paths(demo_planner: SemanticPlanner) -> None:
    sql = planned(demo_planner, "units sold by category").sql
    assert "JOIN products AS p ON oi.product_id = p.id" in sql
    assert "JOIN categories AS c ON p.category_id = c.id" in sql
    assert "GROUP BY c.name, c.id" in sql  # an entity grouped by its name and key


def test_filters_negation_and_lists_of_values(demo_planner: SemanticPlanner) -> None:
    assert "status <> 'cancelled'" in planned(demo_planner, "orders excluding cancelled").sql
    assert "country IN ('France', 'Spain')" in planned(demo_planner, "orders in France or "
                                                                    "Spain").sql
    assert "plan <> 'free'" in planned(demo_planner, "users on a paid plan").sql


def test_follow_up_answers_a_clarifying_question(demo_planner: SemanticPlanner) -> None:
    from atlas_common.messages import HistoryTurn

    first = demo_planner.decide("What was revenue last month?")
    assert isinstance(first, Clarify)
    history = [HistoryTurn(role="user", content="What was revenue last month?"),
               HistoryTurn(role="assistant", content=first.question)]
    again = demo_planner.decide("net revenue", history)
    assert isinstance(again, Planned) and again.plan.metric == "net_revenue"
    assert again.plan.ranges[0].name == "last month"


def test_no_planner_code_names_a_demo_table() -> None:
    """The planner works on any layer: no string literal in it names the demo's tables."""
    demo_names = {"users", "orders", "order_items", "products", "categories"}
    package = Path(__file__).parents[3] / "services/query/src/atlas_query/planner"
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        code = {n.value.lower() for n in ast.walk(tree) if isinstance(n, ast.Constant)
                and isinstance(n.value, str) and id(n) not in docstrings}
        words = {word.strip("\"'.,:;()") for text in code
                 for word in text.replace("_", " ").split()}
        assert not demo_names & (code | words), f"{source.name} names a demo table"
