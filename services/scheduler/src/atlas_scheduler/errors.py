"""The scheduler's errors, in the common envelope (see :mod:`atlas_common.errors`).

Exceptions::

    AtlasError (atlas_common)
    ├── InvalidCron        400 invalid_cron        a cron expression or time zone that cannot run
    ├── InvalidRecipients  400 invalid_recipients  recipients that do not fit the channel
    ├── TaskDisabled       409 task_disabled       a disabled task triggered
    └── TaskNotFound       404 not_found           no such task the caller may see
"""

from __future__ import annotations

from typing import Any

from atlas_common.errors import AtlasError, NotFound


class _FieldError(AtlasError):
    status_code = 400

    def __init__(self, message: str, *, field: str, **extra: Any) -> None:
        super().__init__(message, details=[{"field": field, "message": message}], **extra)


class InvalidCron(_FieldError):
    code = "invalid_cron"

    def __init__(self, message: str, *, field: str = "cronExpression") -> None:
        super().__init__(message, field=field)


class InvalidRecipients(_FieldError):
    code = "invalid_recipients"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="recipients")


class TaskDisabled(AtlasError):
    status_code = 409
    code = "task_disabled"

    def __init__(self) -> None:
        super().__init__("This scheduled task is disabled; enable it to run it")


class TaskNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such scheduled task")
