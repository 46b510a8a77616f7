from __future__ import annotations

import stat

import pytest
from pydantic import SecretStr, ValidationError

from vinted_optimizer.config import Environment, Settings, load_or_create_embedded_secrets

GOOD_SECRET = "q8Zr1vT0pXw3Ls6Nd9Hb2Ky5Mf4Gc7Ja"


def production(**overrides) -> Settings:
    values = {
        "environment": Environment.production,
        "database_url": SecretStr("postgresql://u:p@db.example/vo"),
        "redis_url": SecretStr("rediss://default:x@cache.example:6379"),
        "jwt_secret": SecretStr(GOOD_SECRET),
        "fernet_keys": SecretStr("k" * 43 + "="),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def test_production_accepts_real_secrets():
    assert production().environment is Environment.production


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"jwt_secret": None}, "VO_JWT_SECRET"),
        ({"jwt_secret": SecretStr("short")}, "VO_JWT_SECRET"),
        ({"jwt_secret": SecretStr("change-me-change-me-change-me-change-me")}, "VO_JWT_SECRET"),
        ({"fernet_keys": None}, "VO_FERNET_KEYS"),
        ({"database_url": None}, "VO_DATABASE_URL"),
        ({"redis_url": None}, "VO_REDIS_URL"),
        ({"cookie_secure": False}, "VO_COOKIE_SECURE"),
    ],
)
def test_production_refuses_missing_or_default_secrets(overrides, message):
    with pytest.raises(ValidationError, match=message):
        production(**overrides)


@pytest.mark.parametrize("environment", [Environment.test, Environment.production])
def test_every_environment_but_development_refuses_default_secrets(environment):
    with pytest.raises(ValidationError, match="VO_JWT_SECRET"):
        Settings(_env_file=None, environment=environment)
    relaxed = Settings(_env_file=None, environment=Environment.development)
    assert relaxed.jwt_secret is None  # `serve` generates its secrets into the data folder


@pytest.mark.parametrize("setting", ["ai_service_url", "scraper_service_url"])
def test_a_service_url_without_a_service_token_is_refused(setting):
    with pytest.raises(ValidationError, match="VO_SERVICE_TOKEN"):
        production(**{setting: "https://ai.home.example"})
    with pytest.raises(ValidationError, match="VO_SERVICE_TOKEN"):
        production(**{setting: "https://ai.home.example", "service_token": SecretStr("short")})
    assert production(**{setting: "https://ai.home.example", "service_token": SecretStr(GOOD_SECRET)})


def test_the_home_ai_service_needs_its_token_in_a_test_environment_too():
    with pytest.raises(ValidationError, match="VO_SERVICE_TOKEN"):
        Settings(_env_file=None, environment=Environment.test, process="ai-service")


def test_settings_come_from_the_environment_with_the_vo_prefix(monkeypatch):
    monkeypatch.setenv("VO_ACCESS_TOKEN_MINUTES", "5")
    monkeypatch.setenv("VO_CORS_ORIGINS", "https://a.example, https://b.example/")
    monkeypatch.setenv("ACCESS_TOKEN_MINUTES", "99")
    settings = Settings()
    assert settings.access_token_minutes == 5
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_embedded_secrets_are_generated_once_with_mode_0600(tmp_path):
    first = load_or_create_embedded_secrets(Settings(data_dir=tmp_path))
    path = tmp_path / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    second = load_or_create_embedded_secrets(Settings(data_dir=tmp_path))
    assert path.read_text() == content
    assert first.jwt_secret.get_secret_value() == second.jwt_secret.get_secret_value()
    assert len(first.jwt_secret.get_secret_value()) >= 48
    assert first.fernet_key_list == second.fernet_key_list
    other = load_or_create_embedded_secrets(Settings(data_dir=tmp_path / "other"))
    assert other.jwt_secret.get_secret_value() != first.jwt_secret.get_secret_value()


def test_environment_secrets_win_over_the_generated_file(tmp_path):
    explicit = load_or_create_embedded_secrets(Settings(data_dir=tmp_path, jwt_secret=SecretStr(GOOD_SECRET)))
    assert explicit.jwt_secret.get_secret_value() == GOOD_SECRET


def test_secrets_never_appear_in_the_settings_repr():
    settings = production()
    assert GOOD_SECRET not in repr(settings) and GOOD_SECRET not in str(settings.model_dump())


def test_the_home_ai_service_needs_only_its_service_token():
    with pytest.raises(ValidationError, match="VO_SERVICE_TOKEN"):
        Settings(_env_file=None, environment=Environment.production, process="ai-service")
    home = Settings(
        _env_file=None,
        environment=Environment.production,
        process="ai-service",
        service_token=SecretStr(GOOD_SECRET),
    )
    assert home.database_url is None and home.jwt_secret is None
