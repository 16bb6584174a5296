"""The one error a broken semantic layer raises: it names the file and the field."""

from __future__ import annotations

from pathlib import Path

from atlas_common.service import StartupError


class SemanticLayerError(StartupError):
    """A structural problem in a layer: bad YAML, a missing ``name`` or ``table``, a join to
    an entity that does not exist. It stops start-up; unknown enum values only warn."""

    def __init__(self, file: Path | str, field: str, reason: str) -> None:
        self.file = str(file)
        self.field = field
        self.reason = reason
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {reason}")
