"""Thin routes of ``/api/v1/scheduled-tasks`` (relayed by the gateway with the caller)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from atlas_scheduler.deps import CallerDep, ServiceDep
from atlas_scheduler.schemas import (
    Deleted,
    RunList,
    RunOut,
    TaskCreate,
    TaskList,
    TaskOut,
    TaskUpdate,
    TaskWithRuns,
    Triggered,
)

public = APIRouter(prefix="/api/v1/scheduled-tasks", tags=["Scheduled tasks"])
RECENT_RUNS = 10


def task_out(task: dict[str, Any]) -> TaskOut:
    return TaskOut(**{**task, "id": str(task["id"]), "org_id": task["workspace"]})


def run_out(run: Any) -> RunOut:
    return RunOut(
        id=str(run["id"]), task_id=str(run["task_id"]), slot_at=run["slot_at"],
        trigger=run["trigger"], status=run["status"], conversation_id=run["conversation_id"],
        error=run["error"], tokens_used=run["tokens_used"],
        delivery_status=run["delivery_status"], delivery_error=run["delivery_error"],
        started_at=run["started_at"], completed_at=run["finished_at"],
        created_at=run["started_at"])


@public.get("")
async def list_tasks(caller: CallerDep, service: ServiceDep,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                     enabled: bool | None = None) -> TaskList:
    tasks, total = await service.list_tasks(caller, enabled, limit, offset)
    return TaskList(tasks=[task_out(t) for t in tasks], total=total)


@public.post("", status_code=201)
async def create_task(body: TaskCreate, caller: CallerDep, service: ServiceDep) -> TaskOut:
    return task_out(await service.create(caller, body))


@public.get("/{task_id}")
async def get_task(task_id: str, caller: CallerDep, service: ServiceDep) -> TaskWithRuns:
    task = await service.get(caller, task_id)
    runs = await service.runs(caller, task_id, RECENT_RUNS)
    return TaskWithRuns(**task_out(task).model_dump(), recent_runs=[run_out(r) for r in runs])


@public.put("/{task_id}")
async def update_task(task_id: str, body: TaskUpdate, caller: CallerDep,
                      service: ServiceDep) -> TaskOut:
    return task_out(await service.update(caller, task_id, body))


@public.delete("/{task_id}")
async def delete_task(task_id: str, caller: CallerDep, service: ServiceDep) -> Deleted:
    await service.delete(caller, task_id)
    return Deleted()


@public.post("/{task_id}/run")
async def trigger_task(task_id: str, caller: CallerDep, service: ServiceDep) -> Triggered:
    fired = await service.trigger(caller, task_id)
    message = fired.refused or "Run started"
    return Triggered(task_id=str(fired.task_id), run_id=str(fired.run_id), message=message)


@public.get("/{task_id}/runs")
async def list_runs(task_id: str, caller: CallerDep, service: ServiceDep,
                    limit: Annotated[int, Query(ge=1, le=500)] = 50) -> RunList:
    return RunList(runs=[run_out(r) for r in await service.runs(caller, task_id, limit)])
