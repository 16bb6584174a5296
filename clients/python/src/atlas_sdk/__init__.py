"""Atlas's Python SDK: ask questions of your data, stream answers, manage conversations.

    from atlas_sdk import Atlas

    client = Atlas("http://127.0.0.1:8000", api_key="...")
    result = client.query("How many users signed up last week?")
    print(result.answer, result.sql, result.data[0].rows)

    with client.stream_query("How many users signed up last week?") as stream:
        for event in stream:
            if event.type == "text":
                print(event.text, end="", flush=True)

Everything public is exported here; the ``_modules`` are private. Errors: see
:mod:`atlas_sdk._errors` for the tree.
"""

from atlas_sdk._admin import (
    AdminOverview,
    AuditEntry,
    AuditExport,
    AuditFilters,
    AuditPage,
    AuditStats,
    ConnectionHealth,
    ConnectionInfo,
    PlanFeature,
    PlanSnapshot,
)
from atlas_sdk._admin_client import Admin, AsyncAdmin
from atlas_sdk._async_client import AsyncAtlas
from atlas_sdk._base import DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from atlas_sdk._client import Atlas
from atlas_sdk._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AtlasError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FeatureNotInPlanError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitError,
    ProviderError,
    RateLimitError,
    ServiceUnavailableError,
    SessionExpiredError,
    StreamLostError,
    UnprocessableEntityError,
)
from atlas_sdk._events import (
    ChartEvent,
    ClarificationEvent,
    ErrorEvent,
    FinishEvent,
    PlanEvent,
    RestartEvent,
    RowsEvent,
    StatusEvent,
    StreamEvent,
    SuggestionsEvent,
    TextEvent,
    ToolCallEvent,
    ToolResultEvent,
    UsageEvent,
)
from atlas_sdk._models import (
    ApiKey,
    ApiKeyList,
    Clarification,
    Column,
    Conversation,
    ConversationDetail,
    ConversationList,
    CreatedApiKey,
    DataSet,
    Health,
    Message,
    QueryResult,
    SessionInfo,
    SignInResult,
    StarResult,
    StopResult,
    Table,
    Usage,
    User,
    ValidationIssue,
    ValidationResult,
)
from atlas_sdk._scheduled import (
    DeliveryChannel,
    EmailRecipient,
    Recipient,
    ScheduledTask,
    ScheduledTaskList,
    ScheduledTaskRun,
    ScheduledTaskRunList,
    SlackRecipient,
    TriggerResult,
    WebhookRecipient,
)
from atlas_sdk._scheduled_tasks import AsyncScheduledTasks, ScheduledTasks
from atlas_sdk._streaming import AsyncStream, Stream
from atlas_sdk._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Admin",
    "AdminOverview",
    "ApiKey",
    "ApiKeyList",
    "AsyncAdmin",
    "AsyncAtlas",
    "AsyncScheduledTasks",
    "AsyncStream",
    "Atlas",
    "AtlasError",
    "AuditEntry",
    "AuditExport",
    "AuditFilters",
    "AuditPage",
    "AuditStats",
    "AuthenticationError",
    "BadRequestError",
    "ChartEvent",
    "Clarification",
    "ClarificationEvent",
    "Column",
    "ConflictError",
    "ConnectionHealth",
    "ConnectionInfo",
    "Conversation",
    "ConversationDetail",
    "ConversationList",
    "CreatedApiKey",
    "DataSet",
    "DeliveryChannel",
    "EmailRecipient",
    "ErrorEvent",
    "FeatureNotInPlanError",
    "FinishEvent",
    "GatewayTimeoutError",
    "Health",
    "InternalServerError",
    "Message",
    "NotFoundError",
    "PermissionDeniedError",
    "PlanEvent",
    "PlanFeature",
    "PlanLimitError",
    "PlanSnapshot",
    "ProviderError",
    "QueryResult",
    "RateLimitError",
    "Recipient",
    "RestartEvent",
    "RowsEvent",
    "ScheduledTask",
    "ScheduledTaskList",
    "ScheduledTaskRun",
    "ScheduledTaskRunList",
    "ScheduledTasks",
    "ServiceUnavailableError",
    "SessionExpiredError",
    "SessionInfo",
    "SignInResult",
    "SlackRecipient",
    "StarResult",
    "StatusEvent",
    "StopResult",
    "Stream",
    "StreamEvent",
    "StreamLostError",
    "SuggestionsEvent",
    "Table",
    "TextEvent",
    "ToolCallEvent",
    "ToolResultEvent",
    "TriggerResult",
    "UnprocessableEntityError",
    "Usage",
    "UsageEvent",
    "User",
    "ValidationIssue",
    "ValidationResult",
    "WebhookRecipient",
    "__version__",
]

# Public classes say they live here, not in a private module (as httpx does).
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("atlas_sdk._") and isinstance(_obj, type):
        _obj.__module__ = "atlas_sdk"
del _name, _obj
