"""Object storage for photos and thumbnails through obstore: a local folder by default, S3/R2 by settings."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import obstore
import structlog
from obstore.store import LocalStore, S3Store

from vinted_optimizer.config import Settings

if TYPE_CHECKING:
    from obstore.store import ClientConfig  # only in the type stubs

log = structlog.get_logger(__name__)


# At most this many objects are listed to size the storage (S3/R2 bill each list call of 1,000).
USAGE_LIST_CAP = 20_000


@dataclass(frozen=True)
class StorageUsage:
    """The stored objects and their bytes; ``complete`` False when the listing stopped at its cap, so both
    are lower bounds."""

    kind: str  # "local" or "s3"
    objects: int
    bytes: int
    complete: bool


class Storage:
    def __init__(self, store: Any, *, description: str, keeps_attributes: bool, kind: str = "local") -> None:
        self._store = store
        self.description = description
        self._keeps_attributes = keeps_attributes
        self.kind = kind

    async def usage(self, *, cap: int = USAGE_LIST_CAP) -> StorageUsage:
        """Count the objects and their sizes, listing at most ``cap`` of them (the listing is the store's:
        a walk of the folder, or S3's list calls, never the objects themselves)."""
        objects = size = 0
        async for chunk in obstore.list(self._store, chunk_size=1000):
            for meta in chunk:
                if objects >= cap:
                    return StorageUsage(self.kind, objects, size, complete=False)
                objects += 1
                size += int(meta["size"])
        return StorageUsage(self.kind, objects, size, complete=True)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        # A local folder has nowhere to keep a content type; S3/R2 serve it with the object.
        attributes = {"Content-Type": content_type} if self._keeps_attributes else None
        await obstore.put_async(self._store, key, data, attributes=attributes)

    async def get(self, key: str) -> bytes:
        result = await obstore.get_async(self._store, key)
        return bytes(await result.bytes_async())

    async def copy(self, source: str, target: str) -> None:
        await obstore.copy_async(self._store, source, target)

    async def delete(self, keys: list[str]) -> None:
        """Delete, ignoring objects already gone (deletes may be retried)."""
        for key in keys:
            with contextlib.suppress(FileNotFoundError):
                await obstore.delete_async(self._store, key)

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return False
        return True


def create_storage(settings: Settings) -> Storage:
    url = settings.storage_url
    if url and url.startswith("s3://"):
        bucket = url.removeprefix("s3://").strip("/")
        options: dict[str, Any] = {"region": settings.s3_region}
        client_options: ClientConfig = {}
        if settings.s3_endpoint:
            options["endpoint"] = settings.s3_endpoint
            # Local S3 stand-ins (moto, MinIO) speak plain HTTP.
            client_options["allow_http"] = settings.s3_endpoint.startswith("http://")
        if settings.s3_access_key_id and settings.s3_secret_access_key:
            options["access_key_id"] = settings.s3_access_key_id.get_secret_value()
            options["secret_access_key"] = settings.s3_secret_access_key.get_secret_value()
        store = S3Store(bucket, virtual_hosted_style_request=False, client_options=client_options, **options)
        return Storage(store, description=f"s3://{bucket}", keeps_attributes=True, kind="s3")
    folder = (settings.data_dir / "objects").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return Storage(LocalStore(folder, mkdir=True), description=str(folder), keeps_attributes=False)
