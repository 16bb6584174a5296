"""The semantic layer as clients read it: raw files only from inside the layer, YAML only."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_common.errors import NotFound
from atlas_query.api.semantic import SemanticReader
from atlas_query.semantic import load_semantic_layer
from atlas_query.settings import demo_semantic_root


@pytest.fixture(scope="module")
def reader() -> SemanticReader:
    return SemanticReader(load_semantic_layer(demo_semantic_root()))


def test_files_are_the_layers_yaml(reader: SemanticReader) -> None:
    paths = [f.path for f in reader.files().files]
    assert {"catalog.yml", "glossary.yml", "entities/users.yml", "metrics/users.yml"} <= set(paths)
    assert all(p.endswith((".yml", ".yaml")) and not p.startswith("/") for p in paths)
    assert "table: users" in reader.raw("entities/users.yml")


@pytest.mark.parametrize("path", [
    "../settings.py", "entities/../../settings.py", "/etc/passwd", "entities", "nope.yml",
    "../demo/semantic/catalog.yml/..",
])
def test_raw_refuses_anything_outside_or_not_yaml(reader: SemanticReader, path: str) -> None:
    with pytest.raises(NotFound):
        reader.raw(path)


def test_raw_refuses_a_symlink_out_of_the_layer(tmp_path: Path) -> None:
    root = tmp_path / "semantic"
    (root / "entities").mkdir(parents=True)
    (root / "entities" / "t.yml").write_text("name: T\ntable: t\ndimensions: []\n")
    secret = tmp_path / "secret.yml"
    secret.write_text("password: hunter2\n")
    (root / "leak.yml").symlink_to(secret)
    reader = SemanticReader(load_semantic_layer(root))
    assert "leak.yml" not in [f.path for f in reader.files().files]
    with pytest.raises(NotFound):
        reader.raw("leak.yml")


def test_an_entity_by_name_or_table_and_the_glossary(reader: SemanticReader) -> None:
    assert reader.entity("Users").entity["table"] == reader.entity("users").entity["table"]
    with pytest.raises(NotFound):
        reader.entity("nope")
    terms = {g.term: g for g in reader.glossary().glossary}
    assert terms["revenue"].status == "ambiguous" and terms["revenue"].possible_mappings


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_entities_name_their_source_and_connection(tmp_path: Path) -> None:
    root = _write(tmp_path / "semantic", {
        "entities/a.yml": "name: A\ntable: a\nconnection: main_pg\n",
        "crm/entities/b.yml": "name: B\ntable: b\n",
    })
    listed = SemanticReader(load_semantic_layer(root)).entities().entities
    assert [(e.name, e.source, e.connection) for e in listed] == [
        ("A", "default", "main_pg"), ("B", "crm", None)]
    dumped = listed[1].model_dump(by_alias=True)
    assert dumped["source"] == "crm" and "connection" in dumped and dumped["connection"] is None


def test_metrics_are_listed_per_file_as_upstream(tmp_path: Path) -> None:
    root = _write(tmp_path / "semantic", {
        "entities/a.yml": "name: A\ntable: a\n",
        "metrics/sales.yml": "metrics:\n  - id: n\n    sql: SELECT 1\n    owner: finance\n",
        "crm/entities/b.yml": "name: B\ntable: b\n",
        "crm/metrics/leads.yaml": "metrics:\n  - id: leads\n    sql: SELECT 2\n",
    })
    listed = SemanticReader(load_semantic_layer(root)).metrics().model_dump(by_alias=True)
    assert listed["metrics"] == [
        # data is the file as parsed: keys the loader does not model (owner) stay.
        {"source": "default", "file": "sales",
         "data": {"metrics": [{"id": "n", "sql": "SELECT 1", "owner": "finance"}]}},
        {"source": "crm", "file": "leads",
         "data": {"metrics": [{"id": "leads", "sql": "SELECT 2"}]}},
    ]
