"""TPC-H: the schema of the TPC-H specification (dss.ddl, dss.ri), data from ``tpchgen-cli``.

``tpchgen-cli`` (PyPI, a dev dependency) generates dbgen-compatible data offline; DuckDB's tpch
extension cannot be used here (it downloads, and the PyPI builds of it are for older DuckDBs).
Types follow dss.ddl, except that the spec's CHAR(n) of more than one character is VARCHAR(n):
PostgreSQL pads CHAR(n) with blanks on the way out and MariaDB strips them, so the same rows
would read differently per dialect.
"""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

import duckdb

from tests.support.sample_schemas.ddl import duckdb_type
from tests.support.sample_schemas.model import (
    FK,
    Column,
    InferenceTruth,
    Question,
    SampleSchema,
    Table,
)


def _t(name: str, pk: tuple[str, ...], *cols: tuple[str, str]) -> Table:
    return Table(name, tuple(Column(c, t, nullable=False) for c, t in cols), pk)


TABLES = (
    _t(
        "region",
        ("r_regionkey",),
        ("r_regionkey", "int"),
        ("r_name", "varchar(25)"),
        ("r_comment", "varchar(152)"),
    ),
    _t(
        "nation",
        ("n_nationkey",),
        ("n_nationkey", "int"),
        ("n_name", "varchar(25)"),
        ("n_regionkey", "int"),
        ("n_comment", "varchar(152)"),
    ),
    _t(
        "part",
        ("p_partkey",),
        ("p_partkey", "int"),
        ("p_name", "varchar(55)"),
        ("p_mfgr", "varchar(25)"),
        ("p_brand", "varchar(10)"),
        ("p_type", "varchar(25)"),
        ("p_size", "int"),
        ("p_container", "varchar(10)"),
        ("p_retailprice", "decimal(15,2)"),
        ("p_comment", "varchar(23)"),
    ),
    _t(
        "supplier",
        ("s_suppkey",),
        ("s_suppkey", "int"),
        ("s_name", "varchar(25)"),
        ("s_address", "varchar(40)"),
        ("s_nationkey", "int"),
        ("s_phone", "varchar(15)"),
        ("s_acctbal", "decimal(15,2)"),
        ("s_comment", "varchar(101)"),
    ),
    _t(
        "partsupp",
        ("ps_partkey", "ps_suppkey"),
        ("ps_partkey", "int"),
        ("ps_suppkey", "int"),
        ("ps_availqty", "int"),
        ("ps_supplycost", "decimal(15,2)"),
        ("ps_comment", "varchar(199)"),
    ),
    _t(
        "customer",
        ("c_custkey",),
        ("c_custkey", "int"),
        ("c_name", "varchar(25)"),
        ("c_address", "varchar(40)"),
        ("c_nationkey", "int"),
        ("c_phone", "varchar(15)"),
        ("c_acctbal", "decimal(15,2)"),
        ("c_mktsegment", "varchar(10)"),
        ("c_comment", "varchar(117)"),
    ),
    _t(
        "orders",
        ("o_orderkey",),
        ("o_orderkey", "int"),
        ("o_custkey", "int"),
        ("o_orderstatus", "char(1)"),
        ("o_totalprice", "decimal(15,2)"),
        ("o_orderdate", "date"),
        ("o_orderpriority", "varchar(15)"),
        ("o_clerk", "varchar(15)"),
        ("o_shippriority", "int"),
        ("o_comment", "varchar(79)"),
    ),
    _t(
        "lineitem",
        ("l_orderkey", "l_linenumber"),
        ("l_orderkey", "int"),
        ("l_partkey", "int"),
        ("l_suppkey", "int"),
        ("l_linenumber", "int"),
        ("l_quantity", "decimal(15,2)"),
        ("l_extendedprice", "decimal(15,2)"),
        ("l_discount", "decimal(15,2)"),
        ("l_tax", "decimal(15,2)"),
        ("l_returnflag", "char(1)"),
        ("l_linestatus", "char(1)"),
        ("l_shipdate", "date"),
        ("l_commitdate", "date"),
        ("l_receiptdate", "date"),
        ("l_shipinstruct", "varchar(25)"),
        ("l_shipmode", "varchar(10)"),
        ("l_comment", "varchar(44)"),
    ),
)


def _fk(table: str, col: str, ref: str, ref_col: str, why: str = "") -> FK:
    return FK(table, (col,), ref, (ref_col,), why)


# dss.ri, as the spec ships it: eight foreign keys, one of them composite.
DECLARED_FKS = (
    _fk("nation", "n_regionkey", "region", "r_regionkey"),
    _fk("supplier", "s_nationkey", "nation", "n_nationkey"),
    _fk("partsupp", "ps_suppkey", "supplier", "s_suppkey"),
    _fk("partsupp", "ps_partkey", "part", "p_partkey"),
    _fk("customer", "c_nationkey", "nation", "n_nationkey"),
    _fk("orders", "o_custkey", "customer", "c_custkey"),
    _fk("lineitem", "l_orderkey", "orders", "o_orderkey"),
    FK("lineitem", ("l_partkey", "l_suppkey"), "partsupp", ("ps_partkey", "ps_suppkey")),
)

_SAME_STEM = "column = <table prefix>_ + the referenced key's name after its own prefix"
INFERENCE = InferenceTruth(
    # Every single-column key of dss.ri: strip the table prefix (o_, ps_, ...) and the rest
    # names the referenced key (custkey -> customer.c_custkey), and every value is found there.
    expected=(
        _fk("nation", "n_regionkey", "region", "r_regionkey", _SAME_STEM),
        _fk("supplier", "s_nationkey", "nation", "n_nationkey", _SAME_STEM),
        _fk("partsupp", "ps_suppkey", "supplier", "s_suppkey", _SAME_STEM),
        _fk("partsupp", "ps_partkey", "part", "p_partkey", _SAME_STEM),
        _fk("customer", "c_nationkey", "nation", "n_nationkey", _SAME_STEM),
        _fk("orders", "o_custkey", "customer", "c_custkey", _SAME_STEM),
        _fk("lineitem", "l_orderkey", "orders", "o_orderkey", _SAME_STEM),
        # Not in dss.ri (there they are half of the composite key to partsupp), but the spec's
        # schema diagram draws them, and names and values say so as plainly as the others.
        _fk("lineitem", "l_partkey", "part", "p_partkey", _SAME_STEM),
        _fk("lineitem", "l_suppkey", "supplier", "s_suppkey", _SAME_STEM),
    ),
    acceptable=(
        FK(
            "lineitem",
            ("l_partkey", "l_suppkey"),
            "partsupp",
            ("ps_partkey", "ps_suppkey"),
            "composite: needs the pair's overlap, not reasonable to require from names",
        ),
    ),
)

QUESTIONS = (
    Question(
        "tpch.count_customers",
        "count",
        "How many customers are there?",
        "SELECT COUNT(*) FROM customer",
    ),
    Question(
        "tpch.count_orders", "count", "How many orders are there?", "SELECT COUNT(*) FROM orders"
    ),
    Question(
        "tpch.total_price_by_status",
        "total_by",
        "What is the total order price by order status?",
        "SELECT o_orderstatus, SUM(o_totalprice) FROM orders GROUP BY o_orderstatus",
    ),
    Question(
        "tpch.extended_price_by_ship_mode",
        "total_by",
        "Total extended price of line items by ship mode",
        "SELECT l_shipmode, SUM(l_extendedprice) FROM lineitem GROUP BY l_shipmode",
    ),
    Question(
        "tpch.total_price_by_segment",
        "total_by",
        "Total order price by customer market segment",
        "SELECT c.c_mktsegment, SUM(o.o_totalprice) FROM orders o "
        "JOIN customer c ON c.c_custkey = o.o_custkey GROUP BY c.c_mktsegment",
    ),
    Question(
        "tpch.total_price_by_region",
        "total_by",
        "Total order price by region",
        "SELECT r.r_name, SUM(o.o_totalprice) FROM orders o "
        "JOIN customer c ON c.c_custkey = o.o_custkey "
        "JOIN nation n ON n.n_nationkey = c.c_nationkey "
        "JOIN region r ON r.r_regionkey = n.n_regionkey GROUP BY r.r_name",
    ),
    Question(
        "tpch.top_customers_by_price",
        "top",
        "Top 5 customers by total order price",
        "SELECT c.c_name, SUM(o.o_totalprice) AS total FROM orders o "
        "JOIN customer c ON c.c_custkey = o.o_custkey GROUP BY c.c_name "
        "ORDER BY total DESC LIMIT 5",
    ),
    # Not "top 5 parts by quantity": at SF 0.01 the 5th and the 6th tie (1273 each).
    Question(
        "tpch.top_suppliers_by_quantity",
        "top",
        "Top 5 suppliers by quantity shipped",
        "SELECT s.s_name, SUM(l.l_quantity) AS quantity FROM lineitem l "
        "JOIN supplier s ON s.s_suppkey = l.l_suppkey GROUP BY s.s_suppkey, s.s_name "
        "ORDER BY quantity DESC LIMIT 5",
    ),
    Question(
        "tpch.top_nations_by_revenue",
        "top",
        "Top 5 nations by total order price",
        "SELECT n.n_name, SUM(o.o_totalprice) AS total FROM orders o "
        "JOIN customer c ON c.c_custkey = o.o_custkey "
        "JOIN nation n ON n.n_nationkey = c.c_nationkey GROUP BY n.n_name "
        "ORDER BY total DESC LIMIT 5",
    ),
)

SCHEMA = SampleSchema("tpch", TABLES, DECLARED_FKS, INFERENCE, QUESTIONS)


def generate(scale_factor: float, out_dir: Path) -> Path:
    """Parquet files of every table at ``scale_factor`` (deterministic), made once per dir."""
    if not (out_dir / "lineitem.parquet").exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_tpchgen(), "parquet", "-s", str(scale_factor), f"--output-dir={out_dir}"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return out_dir


def _tpchgen() -> str:
    beside = Path(sysconfig.get_path("scripts")) / "tpchgen-cli"
    found = str(beside) if beside.exists() else shutil.which("tpchgen-cli")
    if not found:
        raise RuntimeError("tpchgen-cli not found: `uv sync --locked --all-packages` installs it")
    return found


def create_source_views(conn: duckdb.DuckDBPyConnection, parquet_dir: Path) -> None:
    """``src.<table>``: each table's rows, cast to the declared types."""
    for table in TABLES:
        cols = ", ".join(
            f"CAST({c.name} AS {duckdb_type(c.type)}) AS {c.name}" for c in table.columns
        )
        path = str(parquet_dir / f"{table.name}.parquet").replace("'", "''")
        conn.execute(f"CREATE VIEW src.{table.name} AS SELECT {cols} FROM read_parquet('{path}')")
