"""A private PostgreSQL cluster on its own port, for tests that restart the database (never
the shared one).

The cluster lives in a fresh directory under the system temp dir (not pytest's, which is
private to root and which the ``postgres`` user could not enter). PostgreSQL refuses to run
as root, so when the tests run as root initdb and the server run as the ``postgres`` user
(``runuser``); otherwise as the current user. Trust authentication on 127.0.0.1 only, user
``postgres``, like the shared instance.

    pg = PrivatePostgres().start()
    url = pg.url                    # postgresql://postgres@127.0.0.1:<port>/postgres
    pg.restart(mode="immediate")    # a crash: only the WAL brings data back
    pg.remove()                     # stop and delete the cluster
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.stack import free_port

BIN = Path(os.environ.get("ATLAS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
_SERVICE_USER = "postgres"


class PrivatePostgres:
    def __init__(self, database: str = "postgres") -> None:
        self.port = free_port()
        self.database = database
        self.root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._initialised = False

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> PrivatePostgres:
        if not self._initialised:
            self._initdb()
        self._launch()
        if self.database != "postgres":
            self._create_database()
        return self

    def stop(self, mode: str = "fast") -> None:
        """``fast`` (clients disconnected, clean shutdown) or ``immediate`` (a crash)."""
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-w", "-t", "60", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self._launch()

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _launch(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
            # fsync off: nothing here survives an OS crash anyway; a process crash
            # (stop(mode="immediate")) still recovers every commit from the WAL
            " -c fsync=off -c max_connections=200"
        )
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log), "-o", options)

    def _initdb(self) -> None:
        self._chown(self.root)
        self._run([str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                   "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        self._initialised = True

    def _create_database(self) -> None:
        psql = [str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                "-d", "postgres", "-Atc"]
        exists = self._run([*psql, f"select 1 from pg_database where datname='{self.database}'"])
        if not exists.strip():
            self._run([*psql, f'CREATE DATABASE "{self.database}"'])

    def _pg_ctl(self, *args: str) -> None:
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), *args])

    def _run(self, argv: list[str]) -> str:
        if os.geteuid() == 0:  # PostgreSQL refuses root
            argv = ["runuser", "-u", _SERVICE_USER, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}\n{log}")
        return done.stdout

    @staticmethod
    def _chown(path: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(_SERVICE_USER)
            os.chown(path, user.pw_uid, user.pw_gid)
