"""A private RabbitMQ node on its own ports, for tests that stop the broker (never the shared one).

The node is ``make up``'s own (``tools.devservers.rabbitmq``: Debian's script run directly, its
own node name, ports, data, config and Erlang cookie, no plugins) on a free port in a private
directory. Durable queues and their persistent messages survive ``restart()``, as on a real
restart.

API: ``start()``, ``stop()``, ``restart()``, ``ctl()``, ``output()``, ``url`` (guest/guest on
the default vhost).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from threading import Event

from tools.devservers.endpoints import Endpoint
from tools.devservers.rabbitmq import RabbitMQ
from tools.devservers.server import StartFailed

from tests.support.stack import free_port

#: Where Debian keeps rabbitmq-server and rabbitmqctl (the /usr/sbin ones are wrappers).
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


class PrivateRabbitMQ:
    def __init__(self, directory: Path, start_timeout: float = 60) -> None:
        self.port = free_port()
        endpoint = Endpoint("ATLAS_RABBITMQ_URL", "127.0.0.1", self.port, None, None, "")
        self._server = RabbitMQ(endpoint, directory, str(RABBITMQ_BIN))
        self._server.start_timeout = start_timeout
        if self._server.missing() is not None:
            raise RuntimeError("rabbitmq-server is not installed: fault tests need a private one")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def node(self) -> str:
        return self._server.node

    def start(self) -> PrivateRabbitMQ:
        try:
            self._server.start(Event())
        except StartFailed as failed:
            raise RuntimeError(f"{failed}\n{self.output()[-2000:]}") from None
        return self

    def ctl(self, *args: str, timeout: float = 60) -> str:
        """``rabbitmqctl -n <node> ...`` against this node (its cookie), output returned."""
        done = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args],
                              env=self._server._env(), capture_output=True, timeout=timeout,
                              check=True)
        return done.stdout.decode()

    def stop(self) -> None:
        """SIGTERM (RabbitMQ shuts down cleanly on it), SIGKILL past a bound."""
        self._server.stop()

    def restart(self) -> None:
        self.stop()
        self.start()

    def output(self) -> str:
        path = self._server.log_path()
        return path.read_text(errors="replace") if path.exists() else ""
