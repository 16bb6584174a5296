"""Rows of the auth schema as typed records, and their wire form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atlas_auth.schemas import SessionOut, UserOut
from atlas_common.principal import Principal, Role


@dataclass(frozen=True)
class UserRecord:
    id: str
    email: str
    name: str
    password_hash: str
    role: Role
    claims: dict[str, Any]
    workspace_id: str
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> UserRecord:
        claims = row["claims"]
        return cls(id=row["id"], email=row["email"], name=row["name"],
                   password_hash=row["password_hash"], role=row["role"],
                   claims=json.loads(claims) if isinstance(claims, str) else dict(claims),
                   workspace_id=row["workspace_id"], active=row["active"],
                   created_at=row["created_at"], updated_at=row["updated_at"])

    def out(self) -> UserOut:
        return UserOut(id=self.id, email=self.email, name=self.name, role=self.role,
                       workspace_id=self.workspace_id, claims=self.claims, active=self.active,
                       created_at=self.created_at, updated_at=self.updated_at)


@dataclass(frozen=True)
class SessionRecord:
    id: str
    user_id: str
    created_at: datetime
    renewed_at: datetime
    expires_at: datetime

    @classmethod
    def from_row(cls, row: Any, prefix: str = "") -> SessionRecord:
        return cls(id=row[prefix + "id"], user_id=row[prefix + "user_id"],
                   created_at=row[prefix + "created_at"], renewed_at=row[prefix + "renewed_at"],
                   expires_at=row[prefix + "expires_at"])

    def out(self) -> SessionOut:
        return SessionOut(id=self.id, user_id=self.user_id, expires_at=self.expires_at,
                          created_at=self.created_at, updated_at=self.renewed_at)


def session_principal(session: SessionRecord, user: UserRecord) -> Principal:
    return Principal(user_id=user.id, workspace_id=user.workspace_id, role=user.role,
                     claims=user.claims, auth_mode="managed", credential_id=session.id,
                     expires_at=session.expires_at)
