"""User management for a workspace's admins, under /api/admin/users (managed mode).

The caller is verified from the credential the gateway forwarded (never from the principal
header) and must be an admin (403 ``forbidden_role``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from atlas_auth.deps import AdminDep, ManagedDep
from atlas_auth.schemas import (
    AddUserBody,
    ClaimsBody,
    PasswordBody,
    RoleBody,
    Success,
    UserList,
    UserOnly,
)

router = APIRouter(prefix="/api/admin/users", tags=["admin-users"])

UserId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("")
async def list_users(admin: AdminDep, managed: ManagedDep,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     offset: Annotated[int, Query(ge=0)] = 0) -> UserList:
    users, total = await managed.admin.list(admin, limit=limit, offset=offset)
    return UserList(users=[u.out() for u in users], total=total)


@router.post("", status_code=status.HTTP_201_CREATED)
async def add_user(body: AddUserBody, admin: AdminDep, managed: ManagedDep) -> UserOnly:
    return UserOnly(user=(await managed.admin.add(admin, body)).out())


@router.get("/{user_id}")
async def get_user(user_id: UserId, admin: AdminDep, managed: ManagedDep) -> UserOnly:
    return UserOnly(user=(await managed.admin.get(admin, user_id)).out())


@router.patch("/{user_id}/role")
async def change_role(user_id: UserId, body: RoleBody, admin: AdminDep,
                      managed: ManagedDep) -> UserOnly:
    return UserOnly(user=(await managed.admin.set_role(admin, user_id, body.role)).out())


@router.put("/{user_id}/claims")
async def set_claims(user_id: UserId, body: ClaimsBody, admin: AdminDep,
                     managed: ManagedDep) -> UserOnly:
    return UserOnly(user=(await managed.admin.set_claims(admin, user_id, body.claims)).out())


@router.post("/{user_id}/password")
async def reset_password(user_id: UserId, body: PasswordBody, admin: AdminDep,
                         managed: ManagedDep) -> Success:
    await managed.admin.reset_password(admin, user_id, body.password)
    return Success()


@router.post("/{user_id}/deactivate")
async def deactivate(user_id: UserId, admin: AdminDep, managed: ManagedDep) -> Success:
    await managed.admin.deactivate(admin, user_id)
    return Success()
