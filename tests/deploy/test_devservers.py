"""``make up`` on a machine whose PostgreSQL, Redis and RabbitMQ are installed but not running
(tools/devservers): private instances on other ports than the shared servers (never touched),
answering real clients, kept between runs, stopped with the command they serve; a server
neither running nor installed is one line and a non-zero exit before anything starts."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import asyncpg
import pytest
import redis
from tools.devservers.settings import DevServersSettings

from atlas_common.settings import CommonSettings
from tests.support.polling import wait_for
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "/usr/bin/make"
MODULE = [sys.executable, "-m", "tools.devservers"]
#: A command that runs until a signal: what supervisord is to make up.
SERVE = [
    sys.executable,
    "-c",
    "import signal; print('command running', flush=True); signal.pause()",
]
INSTALL_LINE = "not running and not installed: install with `sudo apt-get install"


@dataclass
class Private:
    """Where the private servers of a test live, and the URLs that point at them."""

    directory: Path
    env: dict[str, str]

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def processes(self) -> list[int]:
        """Live processes whose command line names the data folder (every server's does)."""
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(self.directory).encode() in cmdline.read_bytes():
                    found.append(int(cmdline.parent.name))
            except OSError:
                continue
        return found


def _env(**overrides: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **overrides}


@pytest.fixture
def private() -> Iterator[Private]:
    # Not pytest's tmp_path: PostgreSQL runs as the postgres user, who cannot enter it.
    directory = Path(tempfile.mkdtemp(prefix="atlas-devservers-"))
    directory.chmod(0o755)
    ports = {free_port() for _ in range(3)}
    assert len(ports) == 3
    pg, rd, mq = sorted(ports)
    env = _env(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{pg}/atlas_dev",
        ATLAS_REDIS_URL=f"redis://127.0.0.1:{rd}/0",
        ATLAS_RABBITMQ_URL=f"amqp://guest:guest@127.0.0.1:{mq}/",
        ATLAS_DEVSERVERS_DIR=str(directory),
    )
    yield Private(directory, env)
    for pid in Private(directory, env).processes():  # only if a test failed half way
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(directory, ignore_errors=True)


def test_the_urls_are_read_as_every_atlas_process_reads_them() -> None:
    mine, theirs = DevServersSettings.model_fields, CommonSettings.model_fields
    for name in ("database_url", "rabbitmq_url", "redis_url"):
        assert mine[name].validation_alias == theirs[name].validation_alias, name
        assert mine[name].default == theirs[name].default, name
    for key in ("env_file", "env_prefix"):
        assert DevServersSettings.model_config[key] == CommonSettings.model_config[key], key


def test_with_every_server_running_the_command_replaces_the_starter() -> None:
    """The normal path: the shared servers answer, nothing is started, the command is exec'd."""
    command = [sys.executable, "-c", "import os; print(os.getpid())"]
    done = subprocess.Popen(
        [*MODULE, "--", *command],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert out.strip() == str(done.pid)  # same process: exec, no wrapper left running


def _start(private: Private, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [*MODULE, "--", *SERVE],
        cwd=ROOT,
        env=private.env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )

    def serving() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{log.read_text()}")
        return "command running" in log.read_text()

    wait_for(serving, timeout=150, what="private servers up and the command running")
    return proc


def _stop(private: Private, proc: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM to the starter: the command stops first, then every private server."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(120) == 128 + signal.SIGTERM, log.read_text()
    assert private.processes() == [], "a private server outlived make up"
    for name in ("DATABASE_URL", "ATLAS_REDIS_URL", "ATLAS_RABBITMQ_URL"):
        port = int(private.env[name].rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
            pass


async def _write(private: Private) -> None:
    db = await asyncpg.connect(private.database_url)
    await db.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('run 1')")
    await db.close()
    redis.Redis.from_url(private.env["ATLAS_REDIS_URL"]).set("kept", "run 1")
    async with await aio_pika.connect(private.env["ATLAS_RABBITMQ_URL"]) as amqp:
        channel = await amqp.channel()
        await channel.declare_queue("kept", durable=True)
        message = aio_pika.Message(b"run 1", delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await channel.default_exchange.publish(message, routing_key="kept")


async def _read(private: Private) -> tuple[str, bytes | None, bytes]:
    db = await asyncpg.connect(private.database_url)
    row = await db.fetchval("SELECT v FROM kept")
    await db.close()
    value = redis.Redis.from_url(private.env["ATLAS_REDIS_URL"]).get("kept")
    assert value is None or isinstance(value, bytes)
    async with await aio_pika.connect(private.env["ATLAS_RABBITMQ_URL"]) as amqp:
        channel = await amqp.channel()
        queue = await channel.declare_queue("kept", passive=True)
        message = await queue.get(timeout=10)
        await message.ack()
    return row, value, message.body


@pytest.mark.timeout(400)
def test_private_servers_start_answer_are_kept_and_stop(private: Private) -> None:
    log = private.directory / "run-1.log"
    proc = _start(private, log)
    try:
        assert log.read_text().count("(first start)") == 3
        asyncio.run(_write(private))
    finally:
        _stop(private, proc, log)
    pg_version = (private.directory / "postgres" / "data" / "PG_VERSION").stat()

    log = private.directory / "run-2.log"
    proc = _start(private, log)
    try:
        assert log.read_text().count("(data kept from the last run)") == 3, log.read_text()
        assert asyncio.run(_read(private)) == ("run 1", b"run 1", b"run 1")
        # initdb ran once: the cluster is the first run's
        assert (private.directory / "postgres" / "data" / "PG_VERSION").stat() == pg_version
    finally:
        _stop(private, proc, log)


def test_a_server_neither_running_nor_installed_is_one_line(private: Private) -> None:
    """Redis only missing (PostgreSQL and RabbitMQ: the shared ones, running): its package."""
    env = {
        **private.env,
        "PATH": str(private.directory),
        "ATLAS_DEVSERVERS_BIN_DIRS": "",
        "DATABASE_URL": os.environ.get("DATABASE_URL", CommonSettings().database_url),
        "ATLAS_RABBITMQ_URL": os.environ.get("ATLAS_RABBITMQ_URL", CommonSettings().rabbitmq_url),
    }
    done = subprocess.run(
        [*MODULE, "--", *SERVE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    redis_port = private.env["ATLAS_REDIS_URL"].rsplit(":", 1)[1].split("/")[0]
    assert line == (
        f"atlas-devservers: Redis (127.0.0.1:{redis_port}) is {INSTALL_LINE} "
        "redis-server` (Debian/Ubuntu; make up then starts private ones), or run all "
        "of Atlas in containers with `docker compose up`"
    )
    assert list(private.directory.iterdir()) == []


def test_make_up_without_any_server_says_what_to_install_and_starts_nothing(
    private: Private,
) -> None:
    """The Makefile's own up recipe (install skipped), with no server binary to be found."""
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    env = {**private.env, "PATH": str(private.directory), "ATLAS_DEVSERVERS_BIN_DIRS": ""}
    done = subprocess.run(
        [MAKE, "-s", "-o", "install", "up", f"UV={uv}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.startswith("atlas-devservers:")]
    assert len(lines) == 1, done.stderr
    assert "PostgreSQL (127.0.0.1:" in lines[0] and "RabbitMQ (127.0.0.1:" in lines[0]
    assert "apt-get install postgresql redis-server rabbitmq-server`" in lines[0]
    assert "spawned:" not in done.stdout + done.stderr  # supervisord never ran
    assert list(private.directory.iterdir()) == []


def test_a_port_taken_by_something_silent_is_one_line(private: Private) -> None:
    with socket.socket() as squatter:  # bound, never listening: connections are refused
        squatter.bind(("127.0.0.1", 0))
        port = squatter.getsockname()[1]
        env = {
            **private.env,
            "ATLAS_REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "DATABASE_URL": os.environ.get("DATABASE_URL", CommonSettings().database_url),
            "ATLAS_RABBITMQ_URL": os.environ.get(
                "ATLAS_RABBITMQ_URL", CommonSettings().rabbitmq_url
            ),
        }
        done = subprocess.run(
            [*MODULE, "--", *SERVE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"atlas-devservers: Redis: 127.0.0.1:{port} (ATLAS_REDIS_URL) does not answer but the "
        "port is taken: free it or set another port there"
    ]
