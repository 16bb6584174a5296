"""A private RabbitMQ node: Debian's ``rabbitmq-server`` script run directly (not the
/usr/sbin wrapper, which switches to the rabbitmq user and drops this environment) with its own
node name (``atlas-<port>@localhost``, so it never meets the system node), AMQP and Erlang
distribution ports, mnesia, logs, config and Erlang cookie (``HOME`` is its folder), and no
plugins (the management plugin alone costs seconds at every start). Its mnesia folder is kept:
durable queues and persistent messages survive ``make up`` restarts.

The Erlang port mapper (epmd, port 4369) is the one piece shared with any other node of the
machine: the node starts it when none runs, and it is stopped again only if this node started
it and no other node registered since.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from pathlib import Path
from threading import Event

from tools.devservers.binaries import find
from tools.devservers.endpoints import Endpoint, free_port
from tools.devservers.server import Server, launch, terminate

#: AMQP 0-9-1 protocol header; a ready broker answers with a Connection.Start method frame.
_PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
_FRAME_METHOD = b"\x01"
_EPMD = Endpoint("epmd", "127.0.0.1", 4369, None, None, "")


class RabbitMQ(Server):
    name = "RabbitMQ"
    package = "rabbitmq-server"
    folder = "rabbitmq"
    _proc: subprocess.Popen[bytes] | None = None
    _started_epmd = False
    _fresh = False

    @property
    def node(self) -> str:
        return f"atlas-{self.endpoint.port}@localhost"

    def log_path(self) -> Path:
        return self.directory / "server.out"

    def missing(self) -> str | None:
        if find("rabbitmq-server", self.bin_dirs) is None:
            return "rabbitmq-server"
        return None if shutil.which("erl") else "erl"

    def first_start(self) -> bool:
        return not (self.directory / "mnesia" / self.node).exists()

    def start(self, cancel: Event) -> None:
        binary = find("rabbitmq-server", self.bin_dirs)
        assert binary is not None, "checked by missing()"
        self._prepare()
        self._started_epmd = not _EPMD.answers(timeout=1)
        self._fresh = self.first_start()
        self._proc = launch([str(binary)], self.log_path(), env=self._env(), cwd=self.directory)
        self.launched = True
        proc = self._proc
        self.wait_until(self._answers, lambda: proc.poll() is not None, cancel)
        self._fresh = False

    def stop(self) -> None:
        if self._proc is not None:
            terminate(self._proc)  # SIGTERM: the node shuts down cleanly
            self._stop_epmd_if_ours()
            if self._fresh:  # stopped during its first boot: a half-made database holds nothing
                self._forget_node()
        self._proc, self.launched = None, False

    def _forget_node(self) -> None:
        """The node's database folder and its files beside it (feature flags, pid)."""
        for path in (self.directory / "mnesia").glob(f"{self.node}*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def _prepare(self) -> None:
        for sub in ("mnesia", "log"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        (self.directory / "enabled_plugins").write_text("[].\n")
        config = self.directory / "rabbitmq.conf"
        config.touch(mode=0o600)
        config.chmod(0o600)  # it may hold the URL's password
        config.write_text(self._config())
        cookie = self.directory / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(16).upper())
            cookie.chmod(0o400)

    def _config(self) -> str:
        """Listen on the URL's address only; the URL's user, password and vhost are created at
        the node's first start (RabbitMQ applies default_* to a fresh database only)."""
        lines = [f"listeners.tcp.default = {self.endpoint.bind_address}:{self.endpoint.port}"]
        user, password = self.endpoint.user or "guest", self.endpoint.password or "guest"
        if (user, password) != ("guest", "guest"):
            lines += [f"default_user = {user}", f"default_pass = {password}"]
        if self.endpoint.path not in ("", "/"):
            lines.append(f"default_vhost = {self.endpoint.path}")
        return "\n".join(lines) + "\n"

    def _env(self) -> dict[str, str]:
        base = self.endpoint.port + 20000  # RabbitMQ's own rule for the distribution port
        dist = base if base < 65536 and _bindable(base) else free_port()
        return {
            **os.environ,
            "HOME": str(self.directory),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": self.endpoint.bind_address,
            "RABBITMQ_NODE_PORT": str(self.endpoint.port),
            "RABBITMQ_DIST_PORT": str(dist),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.directory / "plugins-expand"),
            "RABBITMQ_PID_FILE": str(self.directory / "rabbitmq.pid"),
        }

    def _answers(self) -> bool:
        try:
            with socket.create_connection(
                (self.endpoint.bind_address, self.endpoint.port), timeout=1
            ) as sock:
                sock.sendall(_PROTOCOL_HEADER)
                return sock.recv(1)[:1] == _FRAME_METHOD
        except OSError:
            return False

    def _stop_epmd_if_ours(self) -> None:
        epmd = shutil.which("epmd")
        if not self._started_epmd or epmd is None:
            return
        names = subprocess.run([epmd, "-names"], capture_output=True, text=True, timeout=10)
        if "name " not in names.stdout:  # no node left registered
            subprocess.run([epmd, "-kill"], capture_output=True, timeout=10)


def _bindable(port: int) -> bool:
    return Endpoint("dist", "127.0.0.1", port, None, None, "").bindable()
