"""A private PostgreSQL cluster: initdb once (trust authentication, the URL's user as superuser),
then ``pg_ctl start`` on the URL's port with no Unix socket (nothing to clash with the system
cluster's socket), and the URL's database created when missing.

PostgreSQL refuses to run as root: as root, the cluster belongs to the ``postgres`` user (which
Debian's package creates) and every command runs through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path
from threading import Event

from tools.devservers.binaries import find
from tools.devservers.server import Cancelled, Server, StartFailed

_SERVICE_USER = "postgres"


class Postgres(Server):
    name = "PostgreSQL"
    package = "postgresql"
    folder = "postgres"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def log_path(self) -> Path:
        return self.directory / "server.log"

    def missing(self) -> str | None:
        return None if self._bin("pg_ctl") else "pg_ctl"

    def first_start(self) -> bool:
        return not (self.data / "PG_VERSION").exists()

    def start(self, cancel: Event) -> None:
        self._prepare_folder()
        if self.first_start():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                self._user(),
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            )
        if cancel.is_set():
            raise Cancelled
        options = (
            f"-p {self.endpoint.port} -c listen_addresses={self.endpoint.bind_address}"
            " -c unix_socket_directories=''"
        )
        self.launched = True
        self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-w",
            "-t",
            str(int(self.start_timeout)),
            "-l",
            str(self.log_path()),
            "-o",
            options,
        )
        self._create_database()

    def stop(self) -> None:
        if self.launched and (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-w", "-t", "60", "-m", "fast")
        self.launched = False

    def _user(self) -> str:
        return self.endpoint.user or "postgres"

    def _create_database(self) -> None:
        database = self.endpoint.path or self._user()
        psql = [
            "psql",
            "-h",
            self.endpoint.bind_address,
            "-p",
            str(self.endpoint.port),
            "-U",
            self._user(),
            "-d",
            "postgres",
            "-Atc",
        ]
        literal = database.replace("'", "''")
        if not self._run(*psql, f"SELECT 1 FROM pg_database WHERE datname = '{literal}'").strip():
            identifier = database.replace('"', '""')
            self._run(*psql, f'CREATE DATABASE "{identifier}"')

    def _prepare_folder(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(_SERVICE_USER)
            except KeyError:
                raise StartFailed(
                    "PostgreSQL refuses to run as root and there is no "
                    f"{_SERVICE_USER} user to run it as"
                ) from None
            os.chown(self.directory, user.pw_uid, user.pw_gid)

    def _bin(self, name: str) -> Path | None:
        """initdb and psql beside the real pg_ctl (a symlink on the PATH may have no psql
        beside it): the same version."""
        pg_ctl = find("pg_ctl", self.bin_dirs)
        return None if pg_ctl is None else pg_ctl.resolve().parent / name

    def _run(self, program: str, *args: str) -> str:
        binary = self._bin(program)
        argv = [str(binary), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses root
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            argv = [runuser, "-u", _SERVICE_USER, "--", *argv]
        # Its own session: the postmaster pg_ctl leaves behind never sees the terminal's Ctrl-C.
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=180,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
            raise StartFailed(
                f"{program} failed for the private {self.name}: {output[-1]} "
                f"(log: {self.log_path()})"
            )
        return done.stdout
