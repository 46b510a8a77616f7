"""Object storage through obstore: the local folder (default) and S3/R2, here a local S3 server (moto)."""

from __future__ import annotations

import pytest
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from tests.fakes.server import free_port
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.storage import create_storage


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _s3_settings(endpoint: str, bucket: str) -> Settings:
    return Settings(
        _env_file=None,
        storage_url=f"s3://{bucket}",
        s3_endpoint=endpoint,
        s3_region="auto",
        s3_access_key_id=SecretStr("test-access-key"),
        s3_secret_access_key=SecretStr("test-secret-key"),
    )


async def _exercise(storage) -> None:
    await storage.put("families/f/listings/l/a.jpg", b"\xff\xd8\xffphoto", content_type="image/jpeg")
    assert await storage.exists("families/f/listings/l/a.jpg")
    assert await storage.get("families/f/listings/l/a.jpg") == b"\xff\xd8\xffphoto"
    await storage.copy("families/f/listings/l/a.jpg", "families/f/listings/m/a.jpg")
    assert await storage.get("families/f/listings/m/a.jpg") == b"\xff\xd8\xffphoto"
    await storage.delete(["families/f/listings/l/a.jpg", "families/f/listings/l/never-existed.jpg"])
    assert not await storage.exists("families/f/listings/l/a.jpg")
    with pytest.raises(FileNotFoundError):
        await storage.get("families/f/listings/l/a.jpg")


async def test_local_folder_storage(tmp_path):
    storage = create_storage(Settings(_env_file=None, data_dir=tmp_path))
    await _exercise(storage)
    stored = tmp_path / "objects" / "families" / "f" / "listings" / "m" / "a.jpg"
    assert stored.read_bytes().startswith(b"\xff")


async def test_s3_storage(s3_endpoint):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="vo-photos")
    storage = create_storage(_s3_settings(s3_endpoint, "vo-photos"))
    assert storage.description == "s3://vo-photos"
    await _exercise(storage)
    head = client.head_object(Bucket="vo-photos", Key="families/f/listings/m/a.jpg")
    assert head["ContentType"] == "image/jpeg"
