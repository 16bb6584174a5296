"""A private RabbitMQ node on its own ports, for tests that stop the broker (never the shared one).

Debian's ``rabbitmq-server`` run directly (``/usr/lib/rabbitmq/bin``, not the wrapper in
``/usr/sbin``, which switches to the rabbitmq user and drops the environment), with its own node
name, AMQP and distribution ports, data, logs and config in a private directory, no plugins
(the management plugin alone costs seconds at every start) and its own Erlang cookie
(``HOME`` is the private directory), so ``rabbitmqctl -n <node>`` reaches this node only.
Durable queues and their persistent messages survive ``restart()``, as on a real restart.

API: ``start()``, ``stop()``, ``restart()``, ``url`` (guest/guest on the default vhost).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import uuid
from pathlib import Path

from tests.support.polling import wait_for
from tests.support.stack import free_port

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
#: AMQP 0-9-1 protocol header; a ready broker answers with a Connection.Start method frame.
_PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
_FRAME_METHOD = 1


class PrivateRabbitMQ:
    def __init__(self, directory: Path, start_timeout: float = 60) -> None:
        self.directory = directory
        self.node = f"atlas-test-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._prepare()

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _prepare(self) -> None:
        if not (RABBITMQ_BIN / "rabbitmq-server").exists():
            raise RuntimeError("rabbitmq-server is not installed: fault tests need a private one")
        for sub in ("mnesia", "log"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        (self.directory / "enabled_plugins").write_text("[].\n")
        # loopback_users: guest may connect over 127.0.0.1 only, as on the shared broker.
        (self.directory / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        cookie = self.directory / ".erlang.cookie"
        cookie.write_text(uuid.uuid4().hex.upper())
        cookie.chmod(0o400)

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.directory),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.directory / "plugins-expand"),
        }

    def start(self) -> PrivateRabbitMQ:
        log = (self.directory / "server.out").open("ab")
        self._proc = subprocess.Popen(
            [str(RABBITMQ_BIN / "rabbitmq-server")], env=self._env(), cwd=self.directory,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._ready, timeout=self.start_timeout, interval=0.1,
                 what=f"private RabbitMQ {self.node} accepting AMQP")
        return self

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(f"private RabbitMQ exited with {self._proc.returncode}: "
                               + self.output()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(_PROTOCOL_HEADER)
                return sock.recv(1)[:1] == bytes([_FRAME_METHOD])
        except OSError:
            return False

    def ctl(self, *args: str, timeout: float = 60) -> str:
        """``rabbitmqctl -n <node> ...`` against this node (its cookie), output returned."""
        done = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args],
                              env=self._env(), capture_output=True, timeout=timeout, check=True)
        return done.stdout.decode()

    def stop(self) -> None:
        """SIGTERM (RabbitMQ shuts down cleanly on it), SIGKILL past a bound."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def output(self) -> str:
        path = self.directory / "server.out"
        return path.read_text(errors="replace") if path.exists() else ""
