"""A member's publishing on the home side: every photo uploaded in order, then the item created; or the
item deleted. Each request is a write at the pacing gate (burst 1, one every 30 s, 40 an hour by
default), so a publish of four photos takes five writes and a couple of minutes. The caller is told
before each write (``on_progress``: "foto 2 di 4"); over HTTP, ``/members/publish`` streams these as
NDJSON lines ahead of the envelope (``scraper.app.publish_stream``), read as they come by
``HttpScraperClient``."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Literal

from vinted_optimizer.config import Settings
from vinted_optimizer.scraper.errors import VintedRefused
from vinted_optimizer.scraper.schemas import Published, PublishItem, PublishProgress, Unpublished
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.uploads import NewItem, create_item, delete_item, upload_photo


def item_url(settings: Settings, item_id: int) -> str:
    return f"{settings.vinted_base_url.rstrip('/')}/items/{item_id}"


def new_item(item: PublishItem, photo_ids: tuple[int, ...]) -> NewItem:
    return NewItem(
        title=item.title,
        description=item.description,
        catalog_id=item.catalog_id,
        price=item.price,
        status_id=item.status_id,
        package_size_id=item.package_size_id,
        photo_ids=photo_ids,
        currency=item.currency,
        brand_id=item.brand_id,
        brand=item.brand,
        size_id=item.size_id,
        color_ids=tuple(item.color_ids),
    )


OnProgress = Callable[[PublishProgress], Awaitable[None]]


def publish_operation(
    settings: Settings, item: PublishItem, photos: list[str], on_progress: OnProgress | None = None
) -> Callable[[VintedClient], Awaitable[Published]]:
    """The photos (base64 JPEGs, validated by the request's schema) uploaded in order, then the item;
    ``on_progress`` is told before each write."""
    contents = [base64.b64decode(photo) for photo in photos]
    total = len(contents)

    async def told(step: Literal["photo", "item"], done: int) -> None:
        if on_progress is not None:
            await on_progress(PublishProgress(step=step, done=done, total=total))

    async def publish(client: VintedClient) -> Published:
        photo_ids: list[int] = []
        for position, content in enumerate(contents, 1):
            await told("photo", position - 1)
            photo_ids.append(await upload_photo(client, content, filename=f"foto-{position:02d}.jpg"))
        await told("item", total)
        item_id = await create_item(client, new_item(item, tuple(photo_ids)))
        return Published(item_id=item_id, url=item_url(settings, item_id), photo_ids=photo_ids)

    return publish


def unpublish_operation(item_id: int) -> Callable[[VintedClient], Awaitable[Unpublished]]:
    async def unpublish(client: VintedClient) -> Unpublished:
        try:
            await delete_item(client, item_id)
        except VintedRefused as refused:
            # Both ways of deleting answered "not found": the item is no longer there to take off.
            if refused.status != 404:
                raise
            return Unpublished(deleted=True, already_gone=True)
        return Unpublished(deleted=True)

    return unpublish
