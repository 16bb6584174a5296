"""The offline semantic planner: questions -> plans -> SQL through the semantic layer alone.

``SemanticAnswerer`` implements the answer contract; ``SemanticPlanner.decide`` returns a
``Planned`` (plan + SQL), a ``Clarify`` or a ``CannotAnswer``.

The stages of ``decide``, in order, and the file of each:

=================  ==============================================================
built once         ``vocabulary`` (the layer's phrases; ``glossary``, ``synonyms``),
                   ``joins``, ``expressions``, ``metrics``, ``measures``
follow-ups         ``refine`` (``followup``, ``merge``, ``shift``): the full question
reading            ``text``, ``reading`` (``time``, ``dates``), ``roles``
intent             ``intent``: what to measure, how to group, filter and rank
resolution         ``resolve`` (``choices``, ``timecols``, ``wording``): the ``plan``
SQL                ``compile``
refusals           ``plan`` (``Declined``, ``Ambiguous``), ``clarify``, ``suggest``
the answer         ``answerer``, ``shape``, ``narrative``, ``format``
=================  ==============================================================

``planning.Planning`` is what ``refine`` and ``suggest`` may ask of the planner.
"""

from atlas_query.planner.answerer import SemanticAnswerer
from atlas_query.planner.plan import CannotAnswer, Clarify, Plan
from atlas_query.planner.planner import Decision, Planned, SemanticPlanner

__all__ = ["CannotAnswer", "Clarify", "Decision", "Plan", "Planned", "SemanticAnswerer",
           "SemanticPlanner"]
