"""The delivery settings: retries, the webhook signing secret, SMTP, the Slack base URL.

A mixin of fields only (no environment reading of its own): the scheduler's ``Settings``
inherits it, so every variable is read once, by pydantic-settings, with the rest.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from atlas_common.settings import FIELD_NAMES_NOT_READ

_PLACEHOLDERS = {"changeme", "change-me", "changethis", "secret"}


class DeliverySettings(BaseSettings):
    """Every ``ATLAS_SCHEDULER_*`` variable of the delivery channels (docs/scheduled-reports.md)."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_prefix=FIELD_NAMES_NOT_READ
    )

    delivery_attempts: int = Field(
        5,
        ge=1,
        le=20,
        validation_alias="ATLAS_SCHEDULER_DELIVERY_ATTEMPTS",
        description="Attempts per recipient before a delivery is failed_permanent.",
    )
    delivery_backoff_base_s: float = Field(
        2.0,
        gt=0,
        validation_alias="ATLAS_SCHEDULER_DELIVERY_BACKOFF_BASE_S",
        description="The first retry waits about this long; each next one twice as long.",
    )
    delivery_backoff_cap_s: float = Field(
        60.0,
        gt=0,
        validation_alias="ATLAS_SCHEDULER_DELIVERY_BACKOFF_CAP_S",
        description="No wait between two attempts is longer (a Retry-After included).",
    )
    delivery_timeout_s: float = Field(
        10.0,
        gt=0,
        validation_alias="ATLAS_SCHEDULER_DELIVERY_TIMEOUT_S",
        description="Connect / read / write timeout of one attempt (HTTP and SMTP).",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        validation_alias="ATLAS_SCHEDULER_WEBHOOK_SECRET",
        description="Key of the X-Atlas-Signature HMAC; webhooks are refused while unset.",
    )
    allow_private_webhooks: bool = Field(
        False,
        validation_alias="ATLAS_SCHEDULER_ALLOW_PRIVATE_WEBHOOKS",
        description="Let webhook and Slack URLs reach private, loopback and link-local "
        "addresses (tests, a receiver inside the cluster).",
    )
    webhook_ca_file: str | None = Field(
        None,
        validation_alias="ATLAS_SCHEDULER_WEBHOOK_CA_FILE",
        description="A PEM bundle of CAs trusted for webhook / Slack TLS instead of the system "
        "ones (a receiver behind a private CA).",
    )
    slack_webhook_base: str = Field(
        "https://hooks.slack.com/",
        validation_alias="ATLAS_SCHEDULER_SLACK_WEBHOOK_BASE",
        description="Slack recipients must start with it (a Mattermost-compatible base works).",
    )
    smtp_host: str | None = Field(None, validation_alias="ATLAS_SCHEDULER_SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias="ATLAS_SCHEDULER_SMTP_PORT")
    smtp_user: str | None = Field(None, validation_alias="ATLAS_SCHEDULER_SMTP_USER")
    smtp_password: SecretStr | None = Field(None, validation_alias="ATLAS_SCHEDULER_SMTP_PASSWORD")
    smtp_starttls: bool = Field(
        True,
        validation_alias="ATLAS_SCHEDULER_SMTP_STARTTLS",
        description="Upgrade with STARTTLS (port 587); false with SMTP_TLS for port 465.",
    )
    smtp_tls: bool = Field(
        False,
        validation_alias="ATLAS_SCHEDULER_SMTP_TLS",
        description="Implicit TLS from the first byte (port 465).",
    )
    smtp_from: str = Field("Atlas <atlas@localhost>", validation_alias="ATLAS_SCHEDULER_SMTP_FROM")

    @field_validator("webhook_secret")
    @classmethod
    def _real_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            if raw.lower() in _PLACEHOLDERS or len(raw) < 16:
                raise ValueError("must be a random value of at least 16 characters")
        return value

    @field_validator("slack_webhook_base")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")) or not value.endswith("/"):
            raise ValueError("must be an http(s) URL ending with /")
        return value
