"""Settings for tests: real servers, cheap Argon2id, and an AI that is down unless a test points it at
the local Ollama stand-in."""

from __future__ import annotations

from pydantic import SecretStr

from vinted_optimizer.config import Environment, Settings

TEST_JWT_SECRET = "t" * 48
TEST_FERNET_KEY = "k" * 43 + "="


NOWHERE = "http://127.0.0.1:9"
OFFLINE_URLS = ("sendcloud_base_url", "track17_base_url", "vinted_base_url", "vinted_api_url")


def make_settings(database_url: str, redis_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.test,
        "database_url": SecretStr(database_url),
        "redis_url": SecretStr(redis_url),
        "jwt_secret": SecretStr(TEST_JWT_SECRET),
        "fernet_keys": SecretStr(TEST_FERNET_KEY),
        "public_url": "https://vo.example.test",
        # Real Argon2id, cheaper parameters so the suite stays fast; bench/auth.py measures the real ones.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "rate_limit_ip": "1000/minute",
        "rate_limit_user": "1000/minute",
        # Nothing listens here: the AI is "down" unless a test points this at the fake Ollama.
        "ollama_url": "http://127.0.0.1:9",
        "ollama_timeout_seconds": 5,
        # Nothing in the suite reaches the internet: the services' real addresses are replaced by one where
        # nothing listens, unless a test points them at its local stand-in (tests/fakes).
        **dict.fromkeys(OFFLINE_URLS, NOWHERE),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
