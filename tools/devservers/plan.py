"""Which servers need a private instance, and the one line when that cannot be done."""

from __future__ import annotations

from tools.devservers.endpoints import Endpoint
from tools.devservers.postgres import Postgres
from tools.devservers.rabbitmq import RabbitMQ
from tools.devservers.redis import Redis
from tools.devservers.server import Server
from tools.devservers.settings import DevServersSettings


class CannotStart(Exception):
    """Why Atlas cannot start here, as one line (nothing has been started)."""


def servers(settings: DevServersSettings) -> list[Server]:
    root, bins = settings.servers_dir, settings.bin_dirs
    return [
        Postgres(Endpoint.parse("DATABASE_URL", settings.database_url, 5432), root, bins),
        Redis(Endpoint.parse("ATLAS_REDIS_URL", settings.redis_url, 6379), root, bins),
        RabbitMQ(Endpoint.parse("ATLAS_RABBITMQ_URL", settings.rabbitmq_url, 5672), root, bins),
    ]


def to_start(candidates: list[Server]) -> list[Server]:
    """The servers nothing answers for; CannotStart when one of them cannot be started here."""
    down = [s for s in candidates if not s.endpoint.answers()]
    for server in down:
        if not server.endpoint.local:
            raise CannotStart(
                f"nothing answers at {server.name} {server.endpoint.address} "
                f"({server.endpoint.variable}), not an address of this machine: start it there "
                f"or point {server.endpoint.variable} at a running {server.name}"
            )
    not_installed = [s for s in down if s.missing()]
    if not_installed:
        raise CannotStart(_install_line(not_installed))
    for server in down:
        if not server.endpoint.bindable():
            raise CannotStart(
                f"{server.name}: {server.endpoint.address} ({server.endpoint.variable}) does not "
                "answer but the port is taken: free it or set another port there"
            )
    return down


def _install_line(servers: list[Server]) -> str:
    names = _join([f"{s.name} ({s.endpoint.address})" for s in servers])
    verb = "is" if len(servers) == 1 else "are"
    packages = " ".join(s.package for s in servers)
    return (
        f"{names} {verb} not running and not installed: install with "
        f"`sudo apt-get install {packages}` (Debian/Ubuntu; make up then starts private "
        "ones), or run all of Atlas in containers with `docker compose up`"
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
