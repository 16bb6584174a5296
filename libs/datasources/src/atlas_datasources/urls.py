"""Datasource URLs: ``postgres[ql]://``, ``mysql://`` / ``mariadb://``, ``sqlite:///path``,
``duckdb:///path`` or a bare ``*.duckdb`` / ``*.sqlite`` path, parsed into a typed value.

The password is kept out of ``repr`` and of every message; ``display`` is the URL without it,
fit for logs, progress lines and files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from atlas_datasources.errors import DatasourceError
from atlas_datasources.model import Dialect

_SCHEMES: dict[str, Dialect] = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "duckdb": "duckdb",
}
_BARE_SUFFIXES: dict[str, Dialect] = {
    ".duckdb": "duckdb",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
}
_DEFAULT_PORTS: dict[Dialect, int] = {"postgres": 5432, "mysql": 3306}
# Query parameters passed on to the driver; anything else is refused rather than ignored.
_KNOWN_PARAMS: dict[Dialect, frozenset[str]] = {
    "postgres": frozenset({"sslmode"}),
    "mysql": frozenset({"charset"}),
    "sqlite": frozenset(),
    "duckdb": frozenset(),
}


@dataclass(frozen=True)
class DatasourceUrl:
    dialect: Dialect
    display: str  # the URL without its password
    database: str  # database name, or the file's name for SQLite / DuckDB
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    path: Path | None = None  # SQLite / DuckDB file
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.display


def parse_url(url: str) -> DatasourceUrl:
    """``url`` as a typed value; ``DatasourceError(kind="bad_url")`` naming what is wrong."""
    text = url.strip()
    if not text:
        raise DatasourceError("the datasource URL is empty", kind="bad_url")
    if "://" not in text:
        return _bare_path(text)
    scheme = text.split("://", 1)[0].lower().split("+", 1)[0]
    dialect = _SCHEMES.get(scheme)
    if dialect is None:
        known = ", ".join(sorted({*_SCHEMES}))
        raise DatasourceError(
            f"unsupported datasource scheme {scheme!r} (known: {known})", kind="bad_url"
        )
    if dialect in ("sqlite", "duckdb"):
        return _file_url(dialect, text)
    return _server_url(dialect, text)


def _bare_path(text: str) -> DatasourceUrl:
    dialect = _BARE_SUFFIXES.get(Path(text).suffix.lower())
    if dialect is None:
        raise DatasourceError(
            "a datasource is a URL (postgresql://, mysql://, sqlite:///, duckdb:///) "
            "or a path ending in .duckdb, .sqlite or .sqlite3",
            kind="bad_url",
        )
    return _file(dialect, text)


def _file_url(dialect: Dialect, text: str) -> DatasourceUrl:
    rest = text.split("://", 1)[1]
    if not rest.startswith("/") or rest == "/":
        raise DatasourceError(
            f"a {dialect} URL is {dialect}:///relative/path or {dialect}:////absolute/path",
            kind="bad_url",
        )
    path, _, query = rest[1:].partition("?")
    _options(dialect, query)
    return _file(dialect, unquote(path))


def _file(dialect: Dialect, path: str) -> DatasourceUrl:
    file = Path(path).expanduser()
    return DatasourceUrl(
        dialect=dialect, display=f"{dialect}:///{path}", database=file.name, path=file
    )


def _server_url(dialect: Dialect, text: str) -> DatasourceUrl:
    parts = urlsplit(text)
    try:
        port = parts.port or _DEFAULT_PORTS[dialect]
    except ValueError:
        raise DatasourceError("the port in the URL is not a number", kind="bad_url") from None
    host = unquote(parts.hostname or "") or "localhost"
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise DatasourceError(
            f"the {dialect} URL names no database (…/DATABASE at the end)", kind="bad_url"
        )
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    shown_host = f"[{host}]" if ":" in host else host
    who = f"{user}@" if user else ""
    display = f"{parts.scheme}://{who}{shown_host}:{port}/{database}"
    return DatasourceUrl(
        dialect=dialect,
        display=display,
        database=database,
        host=host,
        port=port,
        user=user,
        password=password,
        options=_options(dialect, parts.query),
    )


def _options(dialect: Dialect, query: str) -> dict[str, str]:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - _KNOWN_PARAMS[dialect])
    if unknown:
        known = ", ".join(sorted(_KNOWN_PARAMS[dialect])) or "none"
        raise DatasourceError(
            f"unknown {dialect} URL parameter {unknown[0]!r} (known: {known})", kind="bad_url"
        )
    return options


def as_url(value: str | DatasourceUrl) -> DatasourceUrl:
    return value if isinstance(value, DatasourceUrl) else parse_url(value)
