"""The SQL guard: one check for every query, whoever wrote it (see :mod:`.guard`)."""

from atlas_query.guard.errors import GuardError, Layer
from atlas_query.guard.guard import GuardResult, SqlGuard

__all__ = ["GuardError", "GuardResult", "Layer", "SqlGuard"]
