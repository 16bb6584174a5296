"""The profile indexed by table key, with entity names and file paths settled once."""

from __future__ import annotations

from collections import defaultdict

from atlas_datasources.model import DatabaseProfile, ForeignKey, TableProfile

from atlas_cli.init import guesses, names


class Schema:
    """The profile indexed by table key, with entity names and file paths settled once."""

    def __init__(self, profile: DatabaseProfile) -> None:
        self.profile = profile
        self.dialect = profile.dialect
        self.tables = {self.key(t): t for t in profile.tables}
        self.entity = _unique_names(profile)
        self.file = {k: f"entities/{names.snake(self.entity[k])}.yml" for k in self.tables}
        self.incoming: dict[str, list[tuple[str, ForeignKey]]] = defaultdict(list)
        self.warnings: list[str] = []
        for key, table in self.tables.items():
            for fk in table.foreign_keys:
                self.incoming[fk.ref_table].append((key, fk))

    def key(self, table: TableProfile) -> str:
        return names.table_key(table, self.profile.default_schema)

    def quote(self, column: str) -> str:
        return names.quote(column, self.dialect)

    def keys(self, key: str) -> set[str]:
        """Primary and foreign key columns of a table."""
        table = self.tables[key]
        return set(table.primary_key) | {c for fk in table.foreign_keys for c in fk.columns}

    def joinable(self, key: str, fk: ForeignKey) -> bool:
        """A single-column key to a profiled table (the format joins on one column)."""
        if len(fk.columns) != 1 or len(fk.ref_columns) != 1:
            self.warnings.append(
                f"{key}: composite foreign key {fk.columns} -> {fk.ref_table} "
                "not written as a join (the layer joins on one column)"
            )
            return False
        if fk.ref_table not in self.tables:
            self.warnings.append(
                f"{key}.{fk.columns[0]} -> {fk.ref_table}: not profiled, no join written"
            )
            return False
        return True

    def is_main(self, key: str) -> bool:
        table = self.tables[key]
        return table.kind == "table" and not guesses.is_junction(table)


def _unique_names(profile: DatabaseProfile) -> dict[str, str]:
    """Entity names: ``OrderItems``; the schema joins the name when two tables share one."""
    result: dict[str, str] = {}
    seen: set[str] = set()
    for table in sorted(
        profile.tables,
        key=lambda t: (t.schema_name != profile.default_schema, t.schema_name or "", t.name),
    ):
        name = names.pascal(table.name)
        if name.lower() in seen and table.schema_name:
            name = names.pascal(f"{table.schema_name}_{table.name}")
        base, n = name, 2
        while name.lower() in seen:
            name, n = f"{base}{n}", n + 1
        seen.add(name.lower())
        result[names.table_key(table, profile.default_schema)] = name
    return result
