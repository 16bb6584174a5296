"""``atlas init``: profile a database into a first semantic layer, and keep it in step.

``generate`` turns a :class:`~atlas_datasources.model.DatabaseProfile` into layer documents
(``guesses`` holds the heuristics), ``diff`` compares a new profile with the layer on disk,
``merge`` folds new documents into hand-edited ones, ``writer`` renders and writes YAML,
``enrich`` asks an LLM for descriptions and ``command`` is the Typer command.
"""
