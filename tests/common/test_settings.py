import pytest
from pydantic import ValidationError

from atlas_common.settings import DEV_INTERNAL_TOKEN, CommonSettings


def test_production_refuses_the_development_internal_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_ENV", "production")
    monkeypatch.setenv("ATLAS_INTERNAL_TOKEN", DEV_INTERNAL_TOKEN)
    with pytest.raises(ValidationError, match="ATLAS_INTERNAL_TOKEN"):
        CommonSettings()
    monkeypatch.setenv("ATLAS_INTERNAL_TOKEN", "short")
    with pytest.raises(ValidationError, match="ATLAS_INTERNAL_TOKEN"):
        CommonSettings()
    monkeypatch.setenv("ATLAS_INTERNAL_TOKEN", "x" * 40)
    assert CommonSettings().internal_token == "x" * 40


def test_development_defaults_point_at_the_local_services() -> None:
    s = CommonSettings()
    assert s.rabbitmq_url.startswith("amqp://") and "127.0.0.1" in s.rabbitmq_url
    assert "127.0.0.1" in s.redis_url and "127.0.0.1" in s.database_url


def test_generic_variables_of_process_runners_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Process managers export PORT; bare field names must never configure a service."""
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:1/0")
    monkeypatch.setenv("INTERNAL_TOKEN", "from-a-bare-name")
    s = CommonSettings()
    assert s.env == "development"
    assert "elsewhere" not in s.redis_url
    assert s.internal_token == DEV_INTERNAL_TOKEN


def test_no_service_settings_read_bare_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from atlas_gateway.settings import GatewaySettings
    from atlas_query.worker.settings import WorkerSettings

    for name, value in {"PORT": "1", "HOST": "0.0.0.0", "PROVIDER": "anthropic",
                        "MODEL": "x", "CONCURRENCY": "99", "PLANNER": "llm"}.items():
        monkeypatch.setenv(name, value)
    gateway, worker = GatewaySettings(), WorkerSettings()
    assert (gateway.port, gateway.host) == (8000, "127.0.0.1")
    assert worker.provider is None and worker.concurrency == 4 and worker.planner == "auto"


def test_database_pool_max_caps_every_pool_and_only_lowers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_DATABASE_POOL_MAX", raising=False)
    assert CommonSettings().pool_size(10) == 10  # unset: each pool keeps its own size
    monkeypatch.setenv("ATLAS_DATABASE_POOL_MAX", "3")
    capped = CommonSettings()
    assert (capped.pool_size(10), capped.pool_size(2)) == (3, 2)
    monkeypatch.setenv("ATLAS_DATABASE_POOL_MAX", "0")
    with pytest.raises(ValidationError, match="ATLAS_DATABASE_POOL_MAX"):
        CommonSettings()
