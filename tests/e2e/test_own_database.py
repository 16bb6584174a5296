"""Bring your own database, end to end (issue 18): ``atlas init`` writes a layer for Chinook
on MariaDB, and a whole stack started on it (``ATLAS_DATASOURCE_URL=mysql://...``,
``ATLAS_SEMANTIC_ROOT`` = the generated layer) answers ``POST /api/v1/query`` with the row the
hand-written SQL gives, through the MySQL guard and executor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.query.test_generated_layers import write_layer
from tests.support.polling import wait_for
from tests.support.sample_schemas import SampleDatabase, SampleDatabases
from tests.support.sample_schemas.answers import expected_answer
from tests.support.stack import wait_for_workers
from tests.support.stacks import isolated_stack

QUESTION_ID = "chinook.count_customers"


@dataclass(frozen=True)
class OwnStack:
    gateway: str
    database: SampleDatabase


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory,
        sample_databases: SampleDatabases) -> Iterator[OwnStack]:
    database = sample_databases.get("chinook", "mysql", declared_fks=True)
    directory = tmp_path_factory.mktemp("own-database")
    layer = directory / "semantic"
    write_layer(database, layer)
    # its own stack: its datasource is MariaDB with a generated layer, not the demo; and its
    # own vhost: the session stack's workers never see these questions.
    env = {
        "ATLAS_DATASOURCE_URL": database.url,
        "ATLAS_SEMANTIC_ROOT": str(layer),
        "ATLAS_PLANNER": "semantic",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
    }
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            stack.start("atlas-query-worker", "worker-1")
            stack.start_keys()
            stack.start_auth()
            stack.start_query_api()
            gateway = stack.start_gateway()
        wait_for_workers(gateway, 1)
        yield OwnStack(gateway, database)


def test_the_stack_answers_on_mariadb_from_the_generated_layer(own: OwnStack) -> None:
    question = next(q for q in own.database.schema.questions if q.id == QUESTION_ID)
    r = httpx.post(own.gateway + "/api/v1/query", json={"question": question.text}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    [[expected]] = expected_answer(own.database, question)
    assert [float(v) for v in body["data"][0]["rows"][0].values()] == [expected], body
    assert len(body["sql"]) == 1 and "FROM Customer" in body["sql"][0]


def test_health_names_the_mysql_datasource(own: OwnStack) -> None:
    def health() -> httpx.Response:
        r = httpx.get(own.gateway + "/api/health", timeout=30)
        assert r.status_code == 200, r.text
        return r

    # The gateway reads the datasource's health in the background; started beside query-api,
    # its first reading may predate query-api's answer ("down"), and the next one names it.
    wait_for(lambda: "mysql" in health().text, timeout=30, what="health naming the datasource")
    assert health().json()["checks"]["datasource"]["status"] == "ok"
