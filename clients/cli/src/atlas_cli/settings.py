"""The CLI's settings (flags, else environment), and the SDK client they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from atlas_sdk import DEFAULT_BASE_URL, Atlas

from atlas_cli import config


def normalize(url: str) -> str:
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class Settings:
    """``url`` / ``api_key`` are None when neither the flag nor the environment set them."""

    url: str | None
    api_key: str | None = field(repr=False)
    config_dir: Path
    timeout: float
    max_retries: int = 2

    def credentials(self) -> config.Credentials | None:
        return config.load(self.config_dir)

    def target(self) -> tuple[str, str | None]:
        """The server and credential to use.

        The URL: ``--url`` / ``ATLAS_URL``, else the server of ``atlas login``, else the local
        default. The credential: ``--api-key`` / ``ATLAS_API_KEY``, else the saved session when
        it was made for that same server (a token never goes to another server).
        """
        saved = self.credentials()
        url = normalize(self.url or (saved.url if saved else "") or DEFAULT_BASE_URL)
        if self.api_key:
            return url, self.api_key
        if saved is not None and normalize(saved.url) == url:
            return url, saved.token
        return url, None

    def client(self) -> Atlas:
        url, key = self.target()
        # "" and not None: the SDK must not read ATLAS_API_KEY again behind the flags' back.
        return Atlas(url, api_key=key or "", timeout=self.timeout, max_retries=self.max_retries)


def current(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):  # pragma: no cover - the callback always sets it
        raise RuntimeError("atlas: settings missing")
    return settings
