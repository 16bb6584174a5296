"""Calls of the managed-mode API as the gateway would proxy them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.auth.support import new_ip

PASSWORD = "correct horse battery"


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.test"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def sign_up(c: httpx.AsyncClient, email: str, password: str = PASSWORD,
                  name: str = "Test User", **headers: str) -> httpx.Response:
    return await c.post("/api/auth/sign-up/email",
                        json={"email": email, "password": password, "name": name},
                        headers={"x-forwarded-for": new_ip(), **headers})


async def sign_in(c: httpx.AsyncClient, email: str, password: str = PASSWORD,
                  ip: str | None = None, **headers: str) -> httpx.Response:
    return await c.post("/api/auth/sign-in/email", json={"email": email, "password": password},
                        headers={"x-forwarded-for": ip or new_ip(), **headers})


async def verify(c: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await c.post("/internal/v1/verify", json=body)


@dataclass
class User:
    id: str
    email: str
    token: str
    role: str


async def add_user(c: httpx.AsyncClient, admin_token: str, role: str = "analyst",
                   **extra: Any) -> User:
    """An admin adds a user, who then signs in."""
    email = unique_email(role)
    added = await c.post("/api/admin/users", headers=bearer(admin_token),
                         json={"email": email, "name": "Added", "password": PASSWORD,
                               "role": role, **extra})
    assert added.status_code == 201, added.text
    signed_in = await sign_in(c, email)
    assert signed_in.status_code == 200, signed_in.text
    return User(added.json()["user"]["id"], email, signed_in.json()["token"], role)
