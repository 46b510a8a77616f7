from __future__ import annotations

import re
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


# Every external URL and credential a configured feature needs, checked at start, the message naming it.
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"database_url": SecretStr("mysql://u:p@db.example/vo")},
            "VO_DATABASE_URL must start with postgresql",
        ),
        ({"redis_url": SecretStr("http://cache.example")}, "VO_REDIS_URL must start with redis"),
        ({"public_url": "http://app.example.it"}, "VO_PUBLIC_URL must be https"),
        ({"public_url": "app.example.it"}, "VO_PUBLIC_URL must start with http"),
        ({"cors_origins": ["https://app.example.it/dashboard"]}, "VO_CORS_ORIGINS: 'https://app.example.it/"),
        ({"cors_origins": ["http://app.example.it"]}, "VO_CORS_ORIGINS must be https"),
        (
            {"ai_service_url": "http://ai.example.it", "service_token": SecretStr(GOOD_SECRET)},
            "VO_AI_SERVICE_URL must be https",
        ),
        (
            {"scraper_service_url": "https://:8002", "service_token": SecretStr(GOOD_SECRET)},
            "VO_SCRAPER_SERVICE_URL has no host",
        ),
        ({"storage_url": "r2://photos"}, "VO_STORAGE_URL must be s3://"),
        ({"storage_url": "s3://photos"}, "needs VO_S3_ACCESS_KEY_ID and VO_S3_SECRET_ACCESS_KEY"),
        (
            {"s3_access_key_id": SecretStr("a" * 32)},
            "VO_S3_ACCESS_KEY_ID and VO_S3_SECRET_ACCESS_KEY go together",
        ),
        ({"s3_endpoint": "http://account.r2.cloudflarestorage.com"}, "VO_S3_ENDPOINT must be https"),
        (
            {"cf_access_client_secret": SecretStr("f" * 64)},
            "VO_CF_ACCESS_CLIENT_ID and VO_CF_ACCESS_CLIENT_SECRET",
        ),
        (
            {"cf_access_client_id": "id.access", "cf_access_client_secret": SecretStr("f" * 64)},
            "no home service is",
        ),
        ({"smtp_host": "smtp.example.it", "smtp_username": "vo"}, "VO_SMTP_USERNAME needs VO_SMTP_PASSWORD"),
        ({"track17_base_url": "ftp://api.17track.net"}, "VO_TRACK17_BASE_URL"),
        ({"sendcloud_base_url": "http://panel.sendcloud.sc"}, "VO_SENDCLOUD_BASE_URL must be https"),
    ],
)
def test_production_checks_every_url_and_credential_naming_the_setting(overrides, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        production(**overrides)


def test_a_password_in_a_refused_url_is_never_echoed():
    with pytest.raises(ValidationError) as refused:
        production(redis_url=SecretStr("http://default:hunter2-secret@cache.example"))
    assert "hunter2" not in str(refused.value)


def test_the_production_deployment_passes_and_loopback_may_stay_plain_http():
    settings = production(
        public_url="https://app.example.it",
        cors_origins=["https://app.example.it"],
        ai_service_url="https://ai.example.it",
        scraper_service_url="http://127.0.0.1:8002",
        service_token=SecretStr(GOOD_SECRET),
        cf_access_client_id="id.access",
        cf_access_client_secret=SecretStr("f" * 64),
        storage_url="s3://photos",
        s3_endpoint="https://account.r2.cloudflarestorage.com",
        s3_access_key_id=SecretStr("a" * 32),
        s3_secret_access_key=SecretStr("b" * 64),
        database_url=SecretStr("postgres://u:p@ep-1-pooler.neon.tech/vo?sslmode=require"),
    )
    assert settings.home_service_headers["CF-Access-Client-Id"] == "id.access"
    # The test environment (the suite's servers on this machine) is not held to https.
    assert Settings(
        _env_file=None, **{**_values(), "environment": Environment.test, "public_url": "http://vo.test"}
    )


def _values() -> dict[str, object]:
    return {
        "database_url": SecretStr("postgresql+asyncpg://postgres:@/postgres?host=/tmp/pg"),
        "redis_url": SecretStr("unix:///tmp/redis.sock"),
        "jwt_secret": SecretStr(GOOD_SECRET),
        "fernet_keys": SecretStr("k" * 43 + "="),
    }


def test_no_access_headers_without_a_service_token_pair():
    assert production().home_service_headers == {}


@pytest.mark.parametrize(
    ("process", "overrides", "message"),
    [
        ("ai-service", {"ollama_url": "localhost:11434"}, "VO_OLLAMA_URL must start with http"),
        ("scraper-service", {}, "VO_REDIS_URL is required by the scraper service"),
        (
            "scraper-service",
            {"redis_url": SecretStr("redis://127.0.0.1:6379/0"), "vinted_api_url": "api.vinted.it"},
            "VO_VINTED_API_URL",
        ),
    ],
)
def test_the_home_services_check_their_own_urls(process, overrides, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        Settings(
            _env_file=None,
            environment=Environment.production,
            process=process,
            service_token=SecretStr(GOOD_SECRET),
            **overrides,
        )
