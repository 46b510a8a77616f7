"""One Settings object for every process, read from the environment (prefix ``VO_``)."""

from __future__ import annotations

import base64
import os
import secrets
from enum import StrEnum
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

INSECURE_SECRET_MARKERS = ("change-me", "changeme", "secret", "dev", "test", "default")


RegistrationMode = Literal["invite", "open", "closed"]


HTTP_SCHEMES = ("http", "https")
# What kit.db.async_url accepts.
DATABASE_SCHEMES = (
    "postgresql",
    "postgres",
    *(f"postgresql+{driver}" for driver in ("asyncpg", "psycopg", "psycopg2")),
)
REDIS_SCHEMES = ("redis", "rediss", "unix")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _url_problems(
    name: str, value: str | None, schemes: tuple[str, ...], *, https: bool = False, secret: bool = False
) -> list[str]:
    """What is wrong with one URL setting (nothing when unset), naming the setting; a URL that carries a
    password is never echoed back."""
    if value is None or not value.strip():
        return []
    shown = "" if secret else f" (got {value!r})"
    try:
        parsed = urlsplit(value.strip())
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return [f"{name} is not a valid URL{shown}"]
    if parsed.scheme not in schemes:
        return [f"{name} must start with {' or '.join(s + '://' for s in schemes)}{shown}"]
    if parsed.scheme != "unix" and not parsed.hostname and "host=" not in parsed.query:
        return [f"{name} has no host{shown}"]
    if https and parsed.scheme == "http" and parsed.hostname not in LOOPBACK_HOSTS:
        return [f"{name} must be https:// in production (plain http only on this machine){shown}"]
    return []


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VO_", extra="ignore", frozen=False)

    environment: Environment = Environment.development
    # Which process reads these settings: the home-side AI service needs none of the cloud's secrets.
    process: Literal["api", "worker", "serve", "ai-service", "scraper-service", "tool"] = "api"
    data_dir: Path = Path("./data")

    # Servers: unset means "start an embedded one in data_dir" (serve) or "required" (api, worker).
    database_url: SecretStr | None = None
    redis_url: SecretStr | None = None

    # Secrets: in embedded mode generated once into data_dir; required outside development.
    jwt_secret: SecretStr | None = None
    # Comma-separated Fernet keys, newest first (MultiFernet): rotate by prepending a new key.
    fernet_keys: SecretStr | None = None

    # A float so tests can shorten it to seconds.
    access_token_minutes: float = Field(default=15, ge=0.05, le=60 * 24)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    invitation_days: int = Field(default=7, ge=1, le=60)
    # Password reset links: e-mailed ones are short-lived; the family admin's, handed over by hand, a day.
    password_reset_minutes: int = Field(default=60, ge=1, le=24 * 60)
    password_reset_link_hours: int = Field(default=24, ge=1, le=7 * 24)

    public_url: str = "http://127.0.0.1:8000"
    # The dashboard's static export served at "/" by `serve`; default: web/out of this checkout.
    web_dir: Path | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The client's IP comes from the socket peer, unless the peer is one of these proxies (addresses or
    # networks, comma-separated) and sets this header (Fly.io: Fly-Client-IP; a Cloudflare Tunnel:
    # CF-Connecting-IP; a reverse proxy: X-Forwarded-For). Nothing forwarded is trusted otherwise.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(default_factory=list)
    client_ip_header: str | None = None
    cookie_secure: bool = True

    # Who may create an account (README, "Accounts"): `invite` (the first visitor creates the first
    # family, then only invitations), `open` (anyone, confirmed by e-mail: needs SMTP), `closed`.
    registration: RegistrationMode = "invite"

    # Rate limits, in the `limits` notation ("5/minute").
    rate_limit_ip: str = "300/minute"
    rate_limit_user: str = "240/minute"
    rate_limit_login_failures: str = "5/minute"
    rate_limit_register: str = "10/hour"
    rate_limit_invitations: str = "20/hour"  # per family
    rate_limit_password_reset: str = "5/hour"  # noqa: S105 - per address and per IP, not a password
    rate_limit_vinted_pairing: str = "6/10 minutes"  # new pairing codes, per member
    rate_limit_vinted_redeem: str = "10/10 minutes"  # codes tried by the browser extension, per IP
    rate_limit_chat: str = "20/minute"  # questions to the assistant, per member
    # The assistant (chat domain, cloud side): what one member may ask, and how long a reply may take.
    # A pending analysis (the AI service down) is tried again after this, doubling up to two hours.
    analysis_retry_first_seconds: float = Field(default=60.0, gt=0, le=3600)
    # The home scraper service unreachable: the Retry-After said, and when a queued publish tries again.
    scraper_retry_seconds: int = Field(default=60, ge=1, le=3600)
    # Seconds between the worker's scheduler runs: a delayed job (a retry, a cron run) starts up to this late.
    worker_schedule_seconds: int = Field(default=30, ge=1, le=300)
    chat_message_max_chars: int = Field(default=2000, ge=1, le=2000)
    chat_sessions_max: int = Field(default=100, ge=1)
    chat_reply_timeout_seconds: float = Field(default=180.0, gt=0)
    chat_history_turns: int = Field(default=10, ge=0, le=50)

    max_request_bytes: int = Field(default=1_048_576, ge=1024)

    # Argon2id, OWASP: m=19 MiB, t=2, p=1 is the minimum; we use a bit more memory.
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=19_456, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Vinted Optimizer <noreply@localhost>"
    smtp_starttls: bool = True

    # Home-side services; unset means in-process. Listed here so /health/deep can check them.
    ai_service_url: str | None = None
    scraper_service_url: str | None = None
    # Shared secret the home services require in the X-Service-Token header when they run on their own.
    service_token: SecretStr | None = None
    # Cloudflare Access in front of the tunnel (deploy/cloudflared): a service token's id and secret, sent
    # as CF-Access-Client-Id / CF-Access-Client-Secret with every call to the home services. Both or none.
    cf_access_client_id: str | None = None
    cf_access_client_secret: SecretStr | None = None

    # AI (home side): Ollama for vision and embeddings; an embedded model when no embedding model is set.
    ollama_url: str | None = "http://localhost:11434"
    ollama_vision_model: str = "moondream"
    # Empty: embed with the model shipped inside a package (multilingual USE, 512 dimensions) instead.
    ollama_embed_model: str = "nomic-embed-text:v1.5"
    ollama_timeout_seconds: float = Field(default=60.0, gt=0)
    ai_cache_ttl_hours: float = Field(default=24.0, ge=0)
    # Photos of one item sent to the vision model (the rest only add colours and quality hints).
    ai_max_images: int = Field(default=3, ge=1, le=8)

    # The assistant (home side): Ollama's chat model, its context window and the streaming timeouts;
    # without Ollama the embedded SmolLM2 (xllamacpp), or retrieval only when that is off or missing.
    ollama_chat_model: str = "phi3:mini"
    chat_num_ctx: int = Field(default=4096, ge=512, le=131_072)  # Ollama's num_ctx (phi3:mini: 4096)
    chat_first_token_timeout_seconds: float = Field(default=60.0, gt=0)  # includes loading the model
    chat_stall_timeout_seconds: float = Field(default=20.0, gt=0)  # between two tokens
    chat_embedded_model: bool = True
    chat_embedded_num_ctx: int = Field(default=2048, ge=256, le=8192)  # SmolLM2-135M's context
    chat_embedded_max_tokens: int = Field(default=256, ge=1, le=2048)
    chat_embedded_threads: int = Field(default=2, ge=1, le=64)
    chat_passages: int = Field(default=8, ge=1, le=50)  # retrieved for a question, before the budget cut
    # ChromaDB: embedded in data_dir/chroma by default; a Chroma server's URL (http[s]://host[:port]).
    chroma_url: str | None = None

    # Objects (photos, thumbnails): a local folder in data_dir by default, or S3/R2.
    storage_url: str | None = None  # e.g. "s3://bucket"; unset: data_dir/objects
    s3_endpoint: str | None = None  # R2: https://<account>.r2.cloudflarestorage.com
    s3_region: str = "auto"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    max_files_per_upload: int = Field(default=10, ge=1, le=30)

    # Parcel tracking through 17TRACK (v2.2): off without a key (no registration, no polling, the quota
    # endpoint says so). The cron job polls every open parcel every ``tracking_poll_hours`` hours.
    track17_api_key: SecretStr | None = None
    track17_base_url: str = "https://api.17track.net"
    tracking_poll_hours: int = Field(default=4, ge=1, le=24)
    # Sendcloud (shipping labels): each family's own keys, in its shipping account; this is where to reach it.
    sendcloud_base_url: str = "https://panel.sendcloud.sc"
    # Per request (connect, read, write); an announce that times out is looked up, never re-bought blindly.
    sendcloud_timeout_seconds: float = Field(default=15.0, gt=0, le=120)

    # Vinted (home side, the scraper): where to reach it (tests point these at a local stand-in).
    vinted_base_url: str = "https://www.vinted.it"
    vinted_api_url: str = "https://api.vinted.it"
    vinted_timeout_seconds: float = Field(default=20.0, gt=0, le=120)  # a whole request
    # The pacing gate, one per home IP (scraper.pacing), well under what Vinted was seen to block: ~30
    # requests in a burst, ~20 in 4-5 minutes, 180-240 an hour; writes ~50 an hour spaced 20-50 s apart.
    vinted_read_burst: int = Field(default=3, ge=1, le=30)
    vinted_read_interval_seconds: float = Field(default=20.0, gt=0)  # one token back every ... seconds
    vinted_read_hourly_cap: int = Field(default=120, ge=1, le=1000)
    vinted_write_burst: int = Field(default=1, ge=1, le=10)
    vinted_write_interval_seconds: float = Field(default=30.0, gt=0)
    vinted_write_hourly_cap: int = Field(default=40, ge=1, le=500)
    # After a challenge page (Cloudflare, DataDome) or repeated 403s: closed this long, doubling on each
    # repeat within a day, up to the maximum.
    vinted_cooldown_minutes: float = Field(default=30.0, gt=0)
    vinted_cooldown_max_hours: float = Field(default=6.0, gt=0)
    vinted_forbidden_strikes: int = Field(default=3, ge=1, le=20)  # 403s within 10 minutes
    # How long a caller may wait at the gate before it gives up with PacingExceeded.
    vinted_max_wait_seconds: float = Field(default=120.0, ge=0)

    # The scraper service (home side): pages walked per followed search (the new search stops after
    # about ten), listings a page; how long a family waits between two market refreshes it asks for.
    scraper_max_pages: int = Field(default=3, ge=1, le=10)
    scraper_per_page: int = Field(default=96, ge=1, le=96)
    trends_refresh_cooldown_minutes: float = Field(default=30.0, ge=0)

    # API processes `serve` runs (uvicorn workers); above 1 the job worker runs as its own process.
    api_workers: int = Field(default=1, ge=1, le=32)
    health_timeout_seconds: float = Field(default=2.0, gt=0)
    log_level: str = "INFO"
    log_json: bool = False
    # OpenTelemetry traces by OTLP/HTTP to this collector (…/v1/traces is added); unset, and without the
    # standard OTEL_EXPORTER_OTLP_ENDPOINT, tracing is off (kit.tracing).
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]
        return value

    @field_validator("chroma_url")
    @classmethod
    def _check_chroma_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("VO_CHROMA_URL must be an http(s) URL such as http://localhost:8000")
        try:
            parsed.port  # noqa: B018 - raises on a port that is not a number
        except ValueError as error:
            raise ValueError("VO_CHROMA_URL has an invalid port") from error
        return value.strip().rstrip("/")

    @field_validator("otel_exporter_otlp_endpoint")
    @classmethod
    def _check_otlp_endpoint(cls, value: str | None) -> str | None:
        from vinted_optimizer.kit.tracing import checked_endpoint

        return checked_endpoint(value, "VO_OTEL_EXPORTER_OTLP_ENDPOINT") if value and value.strip() else None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_outside_development(self) -> Settings:
        """Strict unless the environment is explicitly ``development`` (the FastAPI template's rule).

        Every external URL and credential the configured features need is checked here, at start, and each
        problem names its setting: a process refuses to start rather than fail at its first request."""
        if self.environment is Environment.development:
            return self
        problems = []
        token_ok = len(self.service_token.get_secret_value() if self.service_token else "") >= 32
        if self.process in ("ai-service", "scraper-service"):
            if not token_ok:
                raise ValueError("VO_SERVICE_TOKEN must be a random value of at least 32 characters")
            problems.extend(self._home_problems())
            if problems:
                raise ValueError("; ".join(problems))
            return self
        for name, url in (
            ("VO_AI_SERVICE_URL", self.ai_service_url),
            ("VO_SCRAPER_SERVICE_URL", self.scraper_service_url),
        ):
            if url and not token_ok:
                problems.append(f"{name} needs VO_SERVICE_TOKEN (a random value of at least 32 characters)")
        if self.registration == "open" and not self.smtp_host:
            problems.append(
                "VO_REGISTRATION=open needs SMTP (VO_SMTP_HOST): sign-ups are confirmed by e-mail, so the "
                "answer never reveals which addresses have an account"
            )
        if self.client_ip_header and not self.trusted_proxies:
            problems.append("VO_CLIENT_IP_HEADER is trusted only from VO_TRUSTED_PROXIES: set both")
        if self.database_url is None:
            problems.append("VO_DATABASE_URL is required outside development")
        if self.redis_url is None:
            problems.append("VO_REDIS_URL is required outside development")
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if len(secret) < 32 or any(m in secret.lower() for m in INSECURE_SECRET_MARKERS):
            problems.append("VO_JWT_SECRET must be a random value of at least 32 characters")
        if not self.fernet_keys:
            problems.append("VO_FERNET_KEYS is required outside development")
        if not self.cookie_secure:
            problems.append("VO_COOKIE_SECURE cannot be false outside development")
        problems.extend(self._cloud_problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _cloud_problems(self) -> list[str]:
        """The API's and the worker's URLs and credentials (the environment is not development)."""
        production = self.environment is Environment.production
        problems = [
            *_url_problems("VO_DATABASE_URL", _secret(self.database_url), DATABASE_SCHEMES, secret=True),
            *_url_problems("VO_REDIS_URL", _secret(self.redis_url), REDIS_SCHEMES, secret=True),
            # Invitation, reset and sign-up links point here: the dashboard's public address.
            *_url_problems("VO_PUBLIC_URL", self.public_url, HTTP_SCHEMES, https=production),
            *_url_problems("VO_AI_SERVICE_URL", self.ai_service_url, HTTP_SCHEMES, https=production),
            *_url_problems(
                "VO_SCRAPER_SERVICE_URL", self.scraper_service_url, HTTP_SCHEMES, https=production
            ),
            *_url_problems("VO_SENDCLOUD_BASE_URL", self.sendcloud_base_url, HTTP_SCHEMES, https=production),
            *_url_problems("VO_TRACK17_BASE_URL", self.track17_base_url, HTTP_SCHEMES, https=production),
            *_url_problems("VO_S3_ENDPOINT", self.s3_endpoint, HTTP_SCHEMES, https=production),
        ]
        for origin in self.cors_origins:
            problems.extend(_url_problems("VO_CORS_ORIGINS", origin, HTTP_SCHEMES, https=production))
            if urlsplit(origin).path not in ("", "/"):
                problems.append(
                    f"VO_CORS_ORIGINS: {origin!r} is not an origin (scheme://host[:port], no path)"
                )
        if self.storage_url:
            parsed = urlsplit(self.storage_url)
            if parsed.scheme != "s3" or not parsed.netloc:
                problems.append(
                    "VO_STORAGE_URL must be s3://<bucket> (unset: the local folder in VO_DATA_DIR)"
                )
            elif not (self.s3_access_key_id and self.s3_secret_access_key):
                problems.append(
                    "VO_STORAGE_URL=s3://… needs VO_S3_ACCESS_KEY_ID and VO_S3_SECRET_ACCESS_KEY "
                    "(R2: an API token with Object Read & Write on the bucket)"
                )
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
            problems.append(
                "VO_S3_ACCESS_KEY_ID and VO_S3_SECRET_ACCESS_KEY go together: set both or neither"
            )
        if bool(self.cf_access_client_id) != bool(self.cf_access_client_secret):
            problems.append(
                "VO_CF_ACCESS_CLIENT_ID and VO_CF_ACCESS_CLIENT_SECRET go together (a Cloudflare Access "
                "service token): set both or neither"
            )
        if self.cf_access_client_id and not (self.ai_service_url or self.scraper_service_url):
            problems.append(
                "VO_CF_ACCESS_CLIENT_ID is set but no home service is: set VO_AI_SERVICE_URL or "
                "VO_SCRAPER_SERVICE_URL (the tunnel's addresses)"
            )
        if self.smtp_username and not self.smtp_password:
            problems.append("VO_SMTP_USERNAME needs VO_SMTP_PASSWORD")
        return problems

    def _home_problems(self) -> list[str]:
        """The home services' URLs (the AI service's Ollama, the scraper's Redis and Vinted)."""
        if self.process == "ai-service":
            return _url_problems("VO_OLLAMA_URL", self.ollama_url, HTTP_SCHEMES)
        problems = []
        if self.redis_url is None:
            problems.append("VO_REDIS_URL is required by the scraper service (its pacing gate and queue)")
        problems.extend(_url_problems("VO_REDIS_URL", _secret(self.redis_url), REDIS_SCHEMES, secret=True))
        problems.extend(_url_problems("VO_VINTED_BASE_URL", self.vinted_base_url, HTTP_SCHEMES))
        problems.extend(_url_problems("VO_VINTED_API_URL", self.vinted_api_url, HTTP_SCHEMES))
        return problems

    @property
    def home_service_headers(self) -> dict[str, str]:
        """What every call to the home services carries besides X-Service-Token: Cloudflare Access's
        service-token headers, when configured (the tunnel's Access policy refuses the call without them)."""
        if not (self.cf_access_client_id and self.cf_access_client_secret):
            return {}
        return {
            "CF-Access-Client-Id": self.cf_access_client_id,
            "CF-Access-Client-Secret": self.cf_access_client_secret.get_secret_value(),
        }

    @cached_property
    def fernet_key_list(self) -> list[bytes]:
        if not self.fernet_keys:
            raise RuntimeError("no Fernet key configured")
        return [k.strip().encode() for k in self.fernet_keys.get_secret_value().split(",") if k.strip()]


SECRETS_FILE = "secrets.env"


def load_or_create_embedded_secrets(settings: Settings) -> Settings:
    """Embedded mode: generate the JWT and Fernet keys once into the data folder (mode 0600).

    Values already set in the environment win; the file only fills what is missing.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / SECRETS_FILE
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                stored[key.strip()] = value.strip()
    changed = False
    if "VO_JWT_SECRET" not in stored:
        stored["VO_JWT_SECRET"] = secrets.token_urlsafe(48)
        changed = True
    if "VO_FERNET_KEYS" not in stored:
        stored["VO_FERNET_KEYS"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
        changed = True
    if changed:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(f"{k}={v}\n" for k, v in stored.items()))
    os.chmod(path, 0o600)
    updates: dict[str, object] = {}
    if settings.jwt_secret is None:
        updates["jwt_secret"] = SecretStr(stored["VO_JWT_SECRET"])
    if settings.fernet_keys is None:
        updates["fernet_keys"] = SecretStr(stored["VO_FERNET_KEYS"])
    return settings.model_copy(update=updates)
