"""Layers 1-3: not empty, exactly one statement, and a parse in the datasource's dialect.

Statements are counted on sqlglot's tokens, so a semicolon inside a string, a quoted name or
a dollar-quoted body does not count, and one that a comment seemed to swallow does. A
comment that itself holds a semicolon is refused: it is how a second statement is smuggled
past tools that disagree on where a comment ends (nested ``/* */``, dialect quirks).
"""

from __future__ import annotations

import logging

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokenizer_core import Token, TokenType

from atlas_query.guard.errors import Refusal

MAX_SQL_CHARS = 100_000

# sqlglot warns "falling back to parsing as a Command" for statements it does not model;
# the readonly layer refuses those anyway, so the warning would only be noise in the logs.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def check_not_empty(sql: str) -> None:
    if not sql or not sql.strip():
        raise Refusal("empty", "The SQL is empty")
    if len(sql) > MAX_SQL_CHARS:
        raise Refusal("empty", f"The SQL is longer than {MAX_SQL_CHARS} characters")


def tokenize(sql: str, dialect: Dialect) -> list[Token]:
    try:
        tokens = dialect.tokenize(sql)
    except Exception as exc:  # whatever the tokenizer trips on is refused
        raise Refusal("parse", f"Could not read the SQL: {_first_line(exc)}") from exc
    if not any(t.token_type != TokenType.SEMICOLON for t in tokens):
        raise Refusal("empty", "The SQL holds only comments or semicolons")
    return tokens


def single_statement(tokens: list[Token]) -> list[Token]:
    """The tokens of the one statement, without its trailing semicolons."""
    statements: list[list[Token]] = [[]]
    for token in tokens:
        if any(";" in comment for comment in token.comments):
            raise Refusal("statements", "A comment holds a ';': comments may not hide "
                                        "another statement")
        if token.token_type == TokenType.SEMICOLON:
            statements.append([])
        else:
            statements[-1].append(token)
    found = [statement for statement in statements if statement]
    if len(found) > 1:
        raise Refusal("statements", f"Only one statement is allowed; found {len(found)}")
    return found[0]


def parse_statement(tokens: list[Token], sql: str, dialect: Dialect, name: str) -> exp.Expr:
    try:
        trees = dialect.parser().parse(tokens, sql)
    except Exception as exc:  # a parser bug must refuse, never let SQL through
        raise Refusal("parse", f"Could not parse the SQL as {name}: {_first_line(exc)}") from exc
    if len(trees) != 1 or trees[0] is None:
        raise Refusal("statements", "Only one statement is allowed")
    return trees[0]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
