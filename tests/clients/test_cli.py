"""The ``atlas`` CLI against running stacks: ask (live, --json, --csv), data commands, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.clients.cli import atlas
from tests.clients.conftest import KEY, QUESTION, Running
from tests.support.stack import free_port


def test_ask_streams_the_answer_then_shows_the_sql_and_rows(
    none_stack: Running, config_dir: Path
) -> None:
    r = atlas("ask", QUESTION, url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0, r.output
    answer, _, rest = r.stdout.partition("\n")
    assert "signups last week" in answer
    count = answer.split()[0]
    assert "SELECT COUNT(*)" in rest and "signups" in rest and count in rest
    assert "1 row(s)" in rest


def test_ask_json_is_the_whole_answer_and_nothing_else(
    none_stack: Running, config_dir: Path
) -> None:
    r = atlas("ask", QUESTION, "--json", url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["answer"] and body["sql"] and body["requestId"]
    assert body["data"][0]["columns"] == ["signups"]


def test_ask_csv_writes_the_rows(none_stack: Running, config_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    r = atlas("ask", QUESTION, "--csv", str(target), url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0] == ["signups"] and len(rows) == 2 and rows[1][0].isdigit()
    r = atlas("ask", QUESTION, "--csv", "-", url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0, r.output
    assert list(csv.reader(io.StringIO(r.stdout))) == rows  # stdout: the CSV alone
    assert "signups last week" in r.stderr


def test_tables_and_validate_sql(none_stack: Running, config_dir: Path) -> None:
    r = atlas("tables", url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0, r.output
    assert "users" in r.stdout and "created_at" in r.stdout
    r = atlas("tables", "--json", url=none_stack.url, config_dir=config_dir)
    assert {"users", "orders"} <= {t["table"] for t in json.loads(r.stdout)}
    r = atlas("validate-sql", "SELECT id FROM users", url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0 and "valid" in r.stdout
    r = atlas("validate-sql", "DROP TABLE users", url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 1 and "refused" in r.stdout
    r = atlas("health", "--json", url=none_stack.url, config_dir=config_dir)
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "ok"


def test_connection_refused_says_where_and_what_to_do(config_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    r = atlas("tables", url=url, config_dir=config_dir)
    assert r.exit_code == 3
    assert f"Cannot connect to Atlas at {url}" in r.stderr and "ATLAS_URL" in r.stderr
    assert "Traceback" not in r.output


def test_401_403_and_429_are_clear_and_never_echo_the_key(
    key_stack: Running, config_dir: Path
) -> None:
    r = atlas("tables", url=key_stack.url, config_dir=config_dir)
    assert r.exit_code == 4
    assert "Not authenticated (401 auth_error)" in r.stderr and "ATLAS_API_KEY" in r.stderr
    r = atlas("validate-sql", "SELECT 1", url=key_stack.url, config_dir=config_dir, api_key=KEY)
    assert r.exit_code == 4 and "Permission denied (403 forbidden_role)" in r.stderr
    calls = [
        atlas(
            "tables", url=key_stack.limited_url, config_dir=config_dir, api_key=KEY, max_retries=0
        )
        for _ in range(3)  # 1 a minute: at least one is refused
    ]
    limited = next(c for c in calls if c.exit_code != 0)
    assert limited.exit_code == 5 and "Rate limited (429)" in limited.stderr
    assert "Try again in" in limited.stderr
    for result in (r, *calls):
        assert KEY not in result.output
