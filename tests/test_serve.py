"""End to end: the real `vinted-optimizer` command in a subprocess, with its embedded servers.

`serve` starts PostgreSQL and Redis inside the data folder; these tests check the HTTP flow over a real
socket, that the data and the generated secrets survive a restart, that a signal stops everything
(embedded servers included), and the other CLI commands.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.serve import (
    Serve,
    base_env,
    cli,
    free_port,
    is_running,
    kill_embedded,
    new_data_dir,
    postgres_pid,
    redis_pids,
    shut_down,
    wait_gone,
)

pytestmark = pytest.mark.slow

PASSWORD = "Valigia-Rossa-2024"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = new_data_dir()
    yield folder
    kill_embedded(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def serve(data_dir: Path, tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    """A factory: every call starts `serve` on the same data folder; all are killed at teardown."""
    started: list[Serve] = []

    def start(**env: str) -> Serve:
        server = Serve(
            data_dir=data_dir, log_path=tmp_path / f"serve-{len(started)}.log", env=base_env(**env)
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        shut_down(server)


def assert_stopped_cleanly(server: Serve, sig: signal.Signals, pg: int | None, redis: list[int]) -> None:
    code = server.stop(sig)
    output = server.output()
    assert code == 0, f"exit code {code} after {sig.name}:\n{output}"
    assert "Traceback" not in output, output
    assert wait_gone(pg), f"embedded PostgreSQL (pid {pg}) still running after {sig.name}:\n{output}"
    for pid in redis:
        assert wait_gone(pid), f"embedded Redis (pid {pid}) still running after {sig.name}:\n{output}"


def login(client: httpx.Client, identifier: str, password: str = PASSWORD) -> dict:
    response = client.post(
        "/api/v1/auth/login",
        json={"login": identifier, "password": password},
        headers={"X-Refresh-Token": "body"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"] and body["refresh_token"]
    return body


def me(client: httpx.Client, access_token: str) -> dict:
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_serve_flow_restart_and_sigint(serve, data_dir: Path) -> None:
    email, username = "serena@example.it", "serena"
    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    assert is_running(pg), server.output()
    assert len(redis) == 1, server.output()

    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post(
            "/api/v1/auth/register", json={"email": email, "username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        client.cookies.clear()
        tokens = login(client, email)
        user = me(client, tokens["access_token"])
        assert user["username"] == username

        response = client.get("/api/health/deep")
        assert response.status_code == 200, response.text
        components = response.json()["components"]
        assert components["database"]["status"] == "ok"
        assert components["redis"]["status"] == "ok"

    secrets_file = data_dir / "secrets.env"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    secrets_before = secrets_file.read_text()
    assert "VO_JWT_SECRET=" in secrets_before and "VO_FERNET_KEYS=" in secrets_before

    assert_stopped_cleanly(server, signal.SIGINT, pg, redis)

    # Same data folder: the account and the secrets are still there.
    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        tokens = login(client, email)
        assert me(client, tokens["access_token"])["id"] == user["id"]
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    assert secrets_file.read_text() == secrets_before

    assert_stopped_cleanly(server, signal.SIGINT, pg, redis)


def test_serve_sigterm_stops_embedded_servers(serve, data_dir: Path) -> None:
    """With several API processes: the home side's files take one writer process each, so the AI and
    scraper services run as processes of their own (with a service token), reached over HTTP by the API
    processes and the worker; SIGTERM stops them all, embedded servers included."""
    import psutil

    server = serve(VO_API_WORKERS="2")
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    assert is_running(pg) and len(redis) == 1, server.output()
    assert server.process is not None
    # The real server (uvicorn) behind no configured proxy: a forged X-Forwarded-For from 127.0.0.1 does
    # not make every failed login come from a new address (hardening finding 3).
    with httpx.Client(base_url=server.url, timeout=10) as client:
        statuses = [
            client.post(
                "/api/v1/auth/login",
                json={"login": f"nessuno{n}@example.it", "password": "Sbagliata-123"},
                headers={"X-Forwarded-For": f"192.0.2.{n + 1}"},
            ).status_code
            for n in range(6)
        ]
        deep = client.get("/api/health/deep").json()
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert deep["components"]["scraper_service"]["status"] == "ok", deep
    assert deep["scraper"]["status"] == "ok" and deep["scraper"]["read"] is not None, deep
    # The AI service answered (over HTTP): what is missing is Ollama behind it, not the service.
    assert "Ollama" in deep["components"]["ai"]["detail"], deep
    family = psutil.Process(server.process.pid).children(recursive=True)
    home = [p for p in family if {"ai-service", "scraper-service"} & set(p.cmdline())]
    assert sorted(next(a for a in p.cmdline() if a.endswith("-service")) for p in home) == [
        "ai-service",
        "scraper-service",
    ], [p.cmdline() for p in family]
    assert_stopped_cleanly(server, signal.SIGTERM, pg, redis)
    assert all(wait_gone(p.pid) for p in home), "a home service outlived serve"


def test_cli_migrate_create_admin_and_admin_login(serve, data_dir: Path) -> None:
    migrated = cli("migrate", "--data-dir", str(data_dir))
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Traceback" not in migrated.stderr, migrated.stderr
    # The command stopped the PostgreSQL it started.
    assert not is_running(postgres_pid(data_dir))

    email, username = "gestore@example.it", "gestore"
    env = base_env(VO_ADMIN_PASSWORD=PASSWORD)
    folder = str(data_dir)
    created = cli("create-admin", "--email", email, "--username", username, "--data-dir", folder, env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "administrator created" in created.stdout

    again = cli("create-admin", "--email", email, "--username", "altro", "--data-dir", folder, env=env)
    assert again.returncode != 0
    assert "already taken" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr, again.stderr

    # A fresh install without open sign-up: the command line invites the first member of a family.
    invited = cli(
        "invite", "--email", "rossi@example.it", "--family-name", "Famiglia Rossi", "--data-dir", folder
    )
    assert invited.returncode == 0, invited.stdout + invited.stderr
    token = invited.stdout.strip().splitlines()[-1].split("token=", 1)[1]

    server = serve()
    pg, redis = postgres_pid(data_dir), redis_pids(data_dir)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        tokens = login(client, email)
        user = me(client, tokens["access_token"])
        assert user["is_instance_admin"] is True
        assert user["username"] == username
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        response = client.get("/api/v1/users/family", headers=headers)
        assert response.status_code == 403, response.text
        # ...and so can the instance administrator, through the API.
        other = client.post(
            "/api/v1/admin/invitations",
            json={"email": "verdi@example.it", "family_name": "Famiglia Verdi"},
            headers=headers,
        )
        assert other.status_code == 201, other.text
        client.cookies.clear()
        joined = client.post(
            "/api/v1/auth/register",
            json={
                "email": "rossi@example.it",
                "username": "rossi",
                "password": PASSWORD,
                "invite_token": token,
            },
        )
        assert joined.status_code == 201, joined.text
        assert joined.json()["user"]["role"] == "admin"
        assert joined.json()["user"]["family"]["name"] == "Famiglia Rossi"
    assert_stopped_cleanly(server, signal.SIGINT, pg, redis)


def test_api_in_production_without_secrets_refuses_to_start() -> None:
    env = base_env(
        VO_ENVIRONMENT="production",
        VO_DATABASE_URL="postgresql+asyncpg://vo@127.0.0.1:1/vo",
        VO_REDIS_URL="redis://127.0.0.1:1/0",
    )
    result = cli("api", "--host", "127.0.0.1", "--port", str(free_port()), env=env, timeout=30)
    assert result.returncode != 0
    assert "VO_JWT_SECRET" in result.stderr, result.stderr
    assert "VO_FERNET_KEYS" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
