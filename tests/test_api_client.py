"""The dashboard's typed client is generated from the API: a stale or hand-edited client fails here.

Regenerate with `make api-client` and commit web/openapi.json and web/src/api/schema.d.ts together.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from vinted_optimizer.openapi import openapi_json

WEB = Path(__file__).resolve().parents[1] / "web"
HINT = "The dashboard client is stale or was edited by hand: run `make api-client` and commit the result."


def generate_client(document: Path, output: Path) -> str:
    binary = WEB / "node_modules" / ".bin" / "openapi-typescript"
    if not binary.exists():
        pytest.fail("web/node_modules is missing: run `make install` (make test does it).")
    subprocess.run(
        [str(binary), str(document), "--default-non-nullable", "false", "-o", str(output)],
        check=True,
        capture_output=True,
        cwd=WEB,
        timeout=120,
    )
    return output.read_text()


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("client")
    document = folder / "openapi.json"
    document.write_text(openapi_json())
    return generate_client(document, folder / "schema.d.ts")


def stale_files(committed_document: str, committed_client: str, generated_client: str) -> list[str]:
    """The committed files that differ from what the current API generates."""
    stale = []
    if committed_document != openapi_json():
        stale.append("web/openapi.json")
    if committed_client != generated_client:
        stale.append("web/src/api/schema.d.ts")
    return stale


def test_committed_client_matches_the_api(generated_client):
    committed_document = (WEB / "openapi.json").read_text()
    committed_client = (WEB / "src/api/schema.d.ts").read_text()
    assert stale_files(committed_document, committed_client, generated_client) == [], HINT


def test_the_check_catches_a_hand_edit_and_a_stale_document(generated_client):
    committed_document = (WEB / "openapi.json").read_text()
    committed_client = (WEB / "src/api/schema.d.ts").read_text()
    edited = committed_client.replace("access_token: string;", "access_token: number;", 1)
    assert edited != committed_client
    assert stale_files(committed_document, edited, generated_client) == ["web/src/api/schema.d.ts"]
    older = committed_document.replace('"auth:login"', '"auth:sign_in"', 1)
    assert stale_files(older, committed_client, generated_client) == ["web/openapi.json"]


def test_operation_ids_are_stable_and_unique():
    document = json.loads(openapi_json())
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(":" in op_id for op_id in ids)
