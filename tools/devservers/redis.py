"""A private redis-server in the foreground: its configuration written to the folder (mode 0600:
it may hold the URL's password, which must not show in ``ps``), RDB snapshots there (Redis's
default save points, and one at shutdown), so streams and caches survive a restart."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from threading import Event

from tools.devservers.binaries import find
from tools.devservers.server import Server, launch, terminate


class Redis(Server):
    name = "Redis"
    package = "redis-server"
    folder = "redis"
    start_timeout = 20

    _proc: subprocess.Popen[bytes] | None = None

    def log_path(self) -> Path:
        return self.directory / "server.log"

    def missing(self) -> str | None:
        return None if find("redis-server", self.bin_dirs) else "redis-server"

    def first_start(self) -> bool:
        return not (self.directory / "dump.rdb").exists()

    def start(self, cancel: Event) -> None:
        binary = find("redis-server", self.bin_dirs)
        assert binary is not None, "checked by missing()"
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        self._proc = launch([str(binary), str(config)], self.log_path(), cwd=self.directory)
        self.launched = True
        proc = self._proc
        self.wait_until(self._answers, lambda: proc.poll() is not None, cancel)

    def stop(self) -> None:
        if self._proc is not None:
            terminate(self._proc)  # SIGTERM: Redis saves its snapshot, then exits
        self._proc, self.launched = None, False

    def _write_config(self) -> Path:
        lines = [
            f"port {self.endpoint.port}",
            f"bind {self.endpoint.bind_address}",
            f'dir "{self.directory}"',
            f'pidfile "{self.directory / "redis.pid"}"',
            "daemonize no",
            'logfile ""',
        ]
        if self.endpoint.password:
            escaped = self.endpoint.password.replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'requirepass "{escaped}"')
        path = self.directory / "redis.conf"
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text("\n".join(lines) + "\n")
        return path

    def _answers(self) -> bool:
        """A RESP reply to PING: +PONG, or -NOAUTH when a password is set (it is up either way)."""
        try:
            with socket.create_connection(
                (self.endpoint.bind_address, self.endpoint.port), timeout=1
            ) as sock:
                sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                return sock.recv(1)[:1] in (b"+", b"-")
        except OSError:
            return False
