"""Helpers for the entitlements tests: settings without the environment, an in-process
server, the internal headers, the plans file of the tests and a poller."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from atlas_common.internal import internal_headers
from atlas_common.settings import DEV_INTERNAL_TOKEN
from atlas_entitlements.settings import EntitlementsServiceSettings
from tests.support.inprocess import free_socket, isolated, serve  # noqa: F401 - re-exported

INTERNAL = internal_headers(DEV_INTERNAL_TOKEN)
T = TypeVar("T")

PLANS = """
features:
  query:         {type: boolean, description: Ask questions}
  data-explorer: {type: boolean}
  queries:       {type: metered, unit: question, reset: month}
  llm-tokens:    {type: metered, unit: token, reset: month}
  daily:         {type: metered, reset: day}
  weekly:        {type: metered, reset: week}
  lifetime:      {type: metered}
  api-keys:      {type: gauge, description: Active API keys}
plans:
  free:
    default: true
    features:
      query: true
      queries: {limit: 3}
      llm-tokens: {limit: 100}
      daily: {limit: 5}
      weekly: {limit: 5}
      lifetime: {limit: 10}
      api-keys: {limit: 2}
  team:
    features:
      query: true
      data-explorer: true
      queries: {limit: 5, policy: soft}
      llm-tokens: {unlimited: true}
      api-keys: {limit: 20}
  solo:
    features:
      query: true
      queries: {limit: 1}
"""


def write_plans(directory: Path, text: str = PLANS, name: str = "plans.yaml") -> Path:
    path = directory / name
    path.write_text(text)
    return path


IsolatedSettings = isolated(EntitlementsServiceSettings)


def make_settings(**values: Any) -> EntitlementsServiceSettings:
    return IsolatedSettings(**values)


