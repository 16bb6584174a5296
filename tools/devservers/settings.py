"""What the dev-server starter reads: the three connection URLs under the names, defaults and
``.env`` file every Atlas process reads them with (``atlas_common.settings.CommonSettings``;
tests/deploy/test_devservers.py fails if the two drift apart), plus where private servers live.

Not ``CommonSettings`` itself: importing it pulls in the bus package (aio-pika), 0.2 s of CPU
on every ``make up`` for three strings.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class DevServersSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
        env_prefix="ATLAS_FIELD_NAME_NOT_READ__",  # as CommonSettings: Atlas names only
    )

    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/postgres", validation_alias="DATABASE_URL"
    )
    rabbitmq_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/", validation_alias="ATLAS_RABBITMQ_URL"
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias="ATLAS_REDIS_URL")
    servers_dir: Path = Field(
        ROOT / "var" / "servers",
        validation_alias="ATLAS_DEVSERVERS_DIR",
        description="Data folder of the private servers (one sub-folder each), kept between runs.",
    )
    bin_dirs: str = Field(
        "/usr/lib/postgresql/*/bin:/usr/lib/rabbitmq/bin",
        validation_alias="ATLAS_DEVSERVERS_BIN_DIRS",
        description="Folders (globs, ':'-separated) searched after PATH for the server binaries: "
        "Debian keeps pg_ctl and the unwrapped rabbitmq-server off the PATH.",
    )
