"""Who is asking: the verified identity every service receives from the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["viewer", "analyst", "admin"]
AuthMode = Literal["none", "simple-key", "managed", "byot"]

ROLE_RANK: dict[str, int] = {"viewer": 0, "analyst": 1, "admin": 2}


class Principal(BaseModel):
    """A verified caller. Passed between services only alongside the internal token."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    workspace_id: str = "default"
    role: Role = "viewer"
    claims: dict[str, Any] = Field(default_factory=dict)
    auth_mode: AuthMode = "none"
    credential_id: str | None = None
    expires_at: datetime | None = None

    def has_role(self, required: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[required]


ANONYMOUS = Principal(user_id="anonymous", workspace_id="default", role="admin", auth_mode="none")
