"""Publishing's rules over a listing row, shared by the requests (``publishing``) and the job
(``publish_job``): where its record is in ``vinted_data``, what Vinted's form needs, how writes are spaced,
how a job is named."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import Listing
from vinted_optimizer.scraper.schemas import PublishItem
from vinted_optimizer.vocabulary import load_catalogs
from vinted_optimizer.vocabulary.sizes import sizes_for

PUBLISH_JOB = "listings.publish"
RECORD = "publish"  # vinted_data's key of the app's publishing
ON_VINTED = "vinted"  # vinted_data's key of the item the app published: id, photos, when, which account
HISTORY = "history"  # vinted_data's key of the items deleted since (unpublish, repost)
BY_HAND = "published_by_hand"  # service.BY_HAND: a listing marked published by hand
RUNNING = ("queued", "publishing", "unpublishing", "reposting")
# A running state this old is a lost job (the worker died): the member may ask again.
STALE_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 12
BUSY_RETRY_SECONDS = 60
DEFAULT_RETRY_SECONDS = 60
# Longer than the longest repost paced at the write budget: a delete, then 21 writes, each of them waiting
# at the gate up to 2 minutes (scraper.client.PUBLISH_CALL_TIMEOUT_SECONDS).
JOB_OPTIONS: dict[str, Any] = {"timeout": 95 * 60, "retries": 2}
RUNNING_STATE: dict[str, str] = {"publish": "publishing", "unpublish": "unpublishing", "repost": "reposting"}


def record_of(listing: Listing) -> dict[str, Any] | None:
    record = (listing.vinted_data or {}).get(RECORD)
    return record if isinstance(record, dict) else None


def in_progress(listing: Listing) -> bool:
    """An operation is queued or running; one lost (its job gone with a worker or a flushed queue) no
    longer counts an hour after it was due or last moved."""
    return running(record_of(listing))


def running(record: Any) -> bool:
    """``in_progress`` on the publishing record itself (``vinted_data.publish``, as read from a column)."""
    if not isinstance(record, dict) or record.get("state") not in RUNNING:
        return False
    moved = [record.get("updated_at"), record.get("not_before") if record.get("state") == "queued" else None]
    latest = max((datetime.fromisoformat(value) for value in moved if value), default=None)
    return latest is None or latest > utcnow() - STALE_AFTER


# The columns Vinted's form needs (missing_fields): a query that reads only these can ask ``missing_in``.
FORM_FIELDS = ("title", "description", "price", "category_id", "status_id", "package_size_id", "size_id")


def missing_fields(listing: Listing, photos: int) -> list[tuple[str, str]]:
    """What Vinted's form needs and the listing lacks, each with the field to fix (Italian)."""
    return missing_in({name: getattr(listing, name) for name in FORM_FIELDS}, photos)


def missing_in(fields: Mapping[str, Any], photos: int) -> list[tuple[str, str]]:
    """``missing_fields`` on the FORM_FIELDS columns as read (a mapping, or a driver record)."""
    problems: list[tuple[str, str]] = []
    if not (fields["title"] or "").strip():
        problems.append(("title", "Manca il titolo: Vinted lo richiede."))
    if not (fields["description"] or "").strip():
        problems.append(("description", "Manca la descrizione: Vinted la richiede."))
    price = fields["price"]
    if price is None or price <= 0:
        problems.append(("price", "Manca il prezzo: indicane uno maggiore di zero."))
    category_id = fields["category_id"]
    catalog = load_catalogs().get(category_id) if category_id is not None else None
    if catalog is None:
        problems.append(("category_id", "Scegli la categoria di Vinted dall'elenco."))
    if fields["status_id"] is None:
        problems.append(("condition", "Indica le condizioni dell'articolo."))
    if fields["package_size_id"] is None:
        problems.append(("package_size_id", "Scegli il formato del pacco (piccolo, medio o grande)."))
    if catalog is not None and fields["size_id"] is None and sizes_for(catalog):
        problems.append(("size_id", "Questa categoria ha le taglie: scegli la taglia dall'elenco."))
    if photos == 0:
        problems.append(("photos", "Aggiungi almeno una foto: Vinted non pubblica annunci senza."))
    return problems


def write_spacing(settings: Settings) -> float:
    """Seconds between two writes that keep within both the burst refill and the hourly cap."""
    return max(settings.vinted_write_interval_seconds, 3600.0 / settings.vinted_write_hourly_cap)


def job_id(listing_id: uuid.UUID, ticket: str, attempt: int) -> str:
    return f"{PUBLISH_JOB}:{listing_id}:{ticket}:{attempt}"


def item_of(listing: Listing) -> PublishItem:
    assert listing.category_id is not None and listing.price is not None
    assert listing.status_id is not None and listing.package_size_id is not None
    return PublishItem(
        title=listing.title.strip(),
        description=listing.description.strip(),
        catalog_id=listing.category_id,
        price=listing.price,
        status_id=listing.status_id,
        package_size_id=listing.package_size_id,
        brand=listing.brand,
        size_id=listing.size_id,
        color_ids=list(listing.color_ids)[:2],
    )


def update_record(listing: Listing, **changes: Any) -> None:
    record = {**(record_of(listing) or {}), **changes, "updated_at": utcnow().isoformat()}
    listing.vinted_data = {**(listing.vinted_data or {}), RECORD: record}


def holds_ticket(listing: Listing | None, ticket: str) -> bool:
    record = record_of(listing) if listing is not None else None
    return record is not None and record.get("ticket") == ticket
