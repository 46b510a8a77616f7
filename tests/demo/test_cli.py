"""`vinted-optimizer demo-data` end to end: the real command on a fresh data folder (it starts the
embedded PostgreSQL itself and migrates), refused a second time, `--reset`; then `serve` on that folder
shows the family: a member signs in with the printed password and sees the listings and their photos."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.serve import Serve, base_env, cli, kill_embedded, new_data_dir, shut_down
from vinted_optimizer.demo import PASSWORD

pytestmark = pytest.mark.slow
SMALL = ("--listings", "40", "--sales", "150", "--shipments", "15")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = new_data_dir()
    yield folder
    kill_embedded(folder)
    shutil.rmtree(folder, ignore_errors=True)


def test_demo_data_seeds_refuses_resets_and_serve_shows_it(data_dir: Path, tmp_path: Path) -> None:
    folder = str(data_dir)
    seeded = cli("demo-data", *SMALL, "--data-dir", folder, timeout=180)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    assert "Famiglia Bellini" in seeded.stdout
    assert "40 annunci" in seeded.stdout and "150 vendite" in seeded.stdout
    assert PASSWORD in seeded.stdout
    assert "giulia.bellini@example.it" in seeded.stdout and "make run" in seeded.stdout

    again = cli("demo-data", *SMALL, "--data-dir", folder, timeout=180)
    assert again.returncode != 0
    assert "--reset" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr, again.stderr

    reset = cli("demo-data", "--reset", *SMALL, "--listings", "30", "--data-dir", folder, timeout=180)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert "30 annunci" in reset.stdout

    negative = cli("demo-data", "--sales", "-1", "--data-dir", folder)
    assert negative.returncode != 0 and "--sales" in negative.stderr

    server = Serve(data_dir=data_dir, log_path=tmp_path / "serve.log", env=base_env()).start()
    try:
        with httpx.Client(base_url=server.url, timeout=20) as client:
            signed_in = client.post(
                "/api/v1/auth/login",
                json={"login": "marco.bellini@example.it", "password": PASSWORD},
                headers={"X-Refresh-Token": "body"},
            )
            assert signed_in.status_code == 200, signed_in.text
            headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            page = client.get("/api/v1/listings", params={"limit": 100}, headers=headers)
            assert page.status_code == 200, page.text
            body = page.json()
            assert body["total"] == 30  # the reset family's, not the first one's 40
            photo = body["items"][0]["images"][0]
            picture = client.get(photo["thumbnail_url"], headers=headers)
            assert picture.status_code == 200, picture.text
            assert picture.content[:3] == b"\xff\xd8\xff"
            me = client.get("/api/v1/users/me", headers=headers)
            assert me.status_code == 200, me.text
            assert me.json()["family"]["name"] == "Famiglia Bellini"
            assert me.json()["role"] == "member"
    finally:
        shut_down(server)
