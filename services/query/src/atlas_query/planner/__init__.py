"""The offline semantic planner: questions -> plans -> SQL through the semantic layer alone.

``SemanticAnswerer`` implements the answer contract; ``SemanticPlanner.decide`` returns a
``Planned`` (plan + SQL), a ``Clarify`` or a ``CannotAnswer``.
"""

from atlas_query.planner.answerer import SemanticAnswerer
from atlas_query.planner.plan import CannotAnswer, Clarify, Plan
from atlas_query.planner.planner import Decision, Planned, SemanticPlanner

__all__ = ["CannotAnswer", "Clarify", "Decision", "Plan", "Planned", "SemanticAnswerer",
           "SemanticPlanner"]
