"""Copy to Vinted by hand: the photos as a streamed ZIP, and "published by hand" with the item's link."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from sqlalchemy import select

from tests.auth.factories import register
from tests.images.factories import photo, upload
from tests.listings.factories import create_listing, get_listing
from tests.users.factories import invite_and_join
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings.service import archive_stem
from vinted_optimizer.models import AuditLog


async def _listing_with_photos(client, member, count: int, **fields):
    files = [
        (f"foto{n}.jpg", photo(900, 700, seed=100 + n, colour=(30 + 40 * n, 60, 160))) for n in range(count)
    ]
    uploaded = await upload(client, member=member, files=files)
    assert uploaded.status_code == 201, uploaded.text
    listing = uploaded.json()["listing"]
    if fields:
        patched = await client.patch(f"/api/v1/listings/{listing['id']}", json=fields, headers=member.headers)
        assert patched.status_code == 200, patched.text
        listing = patched.json()
    return listing


def _processed_bytes(settings, image_id: str) -> bytes:
    found = list((settings.data_dir / "objects").rglob(f"{image_id}.jpg"))
    assert len(found) == 1
    return found[0].read_bytes()


# --- the photos as a ZIP -------------------------------------------------------------------------------


async def test_the_zip_holds_exactly_the_processed_photos_in_display_order(client, settings):
    member = await register(client)
    listing = await _listing_with_photos(client, member, 3, title="Maglione Però Blu (taglia M)")
    ids = [image["id"] for image in sorted(listing["images"], key=lambda image: image["display_order"])]
    # The member puts the last photo first: the ZIP follows the display order.
    order = [ids[2], ids[0], ids[1]]
    reordered = await client.put(
        f"/api/v1/images/order/{listing['id']}", json={"image_ids": order}, headers=member.headers
    )
    assert reordered.status_code == 200, reordered.text

    response = await client.get(f"/api/v1/listings/{listing['id']}/photos.zip", headers=member.headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="maglione-pero-blu-taglia-m-foto.zip"'
    )
    assert "content-length" not in response.headers  # streamed, so its length is not known up front
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [f"maglione-pero-blu-taglia-m-{n:02d}.jpg" for n in (1, 2, 3)]
    for name, image_id in zip(names, order, strict=True):
        info = archive.getinfo(name)
        assert info.compress_type == zipfile.ZIP_STORED  # JPEGs do not compress
        assert archive.read(name) == _processed_bytes(settings, image_id)
        assert archive.read(name)[:3] == b"\xff\xd8\xff"


class CountingStorage(Storage):
    """The real storage, counting the photos read so far."""

    def __init__(self, inner: Storage) -> None:
        self._inner = inner
        self.reads: list[str] = []

    async def get(self, key: str) -> bytes:
        self.reads.append(key)
        return await self._inner.get(key)


async def test_the_zip_streams_one_photo_at_a_time(client, session, resources):
    member = await register(client)
    listing = await _listing_with_photos(client, member, 3)
    photos = (await images.photos_of(session, [uuid.UUID(listing["id"])]))[uuid.UUID(listing["id"])]
    storage = CountingStorage(resources.storage)
    chunks = []
    reads_before_chunk = []
    async for chunk in images.stream_archive(storage, images.photo_archive(photos, "foto")):
        chunks.append(chunk)
        reads_before_chunk.append(len(storage.reads))
    # The first bytes leave before the second photo is read; every photo is read once.
    assert reads_before_chunk[0] == 1
    assert reads_before_chunk == sorted(reads_before_chunk) and reads_before_chunk[-1] == 3
    assert len(chunks) > 3
    assert storage.reads == [image.storage_path for image in photos]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.namelist() == ["foto-01.jpg", "foto-02.jpg", "foto-03.jpg"]


async def test_a_listing_without_photos_has_no_zip(client):
    member = await register(client)
    listing = await create_listing(client, member=member)
    response = await client.get(f"/api/v1/listings/{listing['id']}/photos.zip", headers=member.headers)
    assert response.status_code == 409
    assert response.json() == {
        "error": "no_photos",
        "detail": "L'annuncio non ha ancora foto da salvare: aggiungine almeno una.",
    }


async def test_the_zip_of_another_familys_listing_is_not_found(client):
    member = await register(client)
    listing = await _listing_with_photos(client, member, 1)
    relative = await invite_and_join(client, admin=member)
    other = await register(client, family_name="Famiglia Verdi")
    path = f"/api/v1/listings/{listing['id']}/photos.zip"
    assert (await client.get(path, headers=relative.headers)).status_code == 200
    refused = await client.get(path, headers=other.headers)
    assert refused.status_code == 404 and refused.json()["detail"] == "Annuncio non trovato."
    assert (await client.get(path)).status_code == 401


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Giacca di jeans Levi's", "giacca-di-jeans-levi-s"),
        ("  Città: è già NUOVO!  ", "citta-e-gia-nuovo"),
        ("", "annuncio-12345678"),
        ("東京 ★", "annuncio-12345678"),
        ("a" * 100, "a" * 60),
    ],
)
def test_archive_names_are_plain_ascii(title, stem):
    assert archive_stem(title, uuid.UUID("12345678-0000-4000-8000-000000000000")) == stem


# --- published by hand ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "url", "vinted_id"),
    [
        (
            "https://www.vinted.it/items/4589123456-giacca-di-jeans-levis?referrer=catalog#photos",
            "https://www.vinted.it/items/4589123456-giacca-di-jeans-levis",
            "4589123456",
        ),
        ("  https://vinted.it/items/4589123456  ", "https://www.vinted.it/items/4589123456", "4589123456"),
        ("www.vinted.it/items/77-Maglione/", "https://www.vinted.it/items/77-maglione", "77"),
        ("https://WWW.VINTED.FR/items/123-robe", "https://www.vinted.fr/items/123-robe", "123"),
        ("https://www.vinted.co.uk/items/0042-coat", "https://www.vinted.co.uk/items/42-coat", "42"),
    ],
)
async def test_published_by_hand_records_the_normalised_link(client, session, link, url, vinted_id):
    member = await register(client)
    listing = await create_listing(client, member=member, status="ready")
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/published-by-hand",
        json={"vinted_url": link},
        headers=member.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["vinted_url"], body["vinted_id"]) == ("published", url, vinted_id)
    stored = await get_listing(client, member=member, listing_id=listing["id"])
    assert (stored["status"], stored["vinted_url"], stored["vinted_id"]) == ("published", url, vinted_id)
    entry = await session.scalar(select(AuditLog).where(AuditLog.action == "listing.published_by_hand"))
    assert entry is not None and entry.resource_id == listing["id"] and entry.meta == {"vinted_id": vinted_id}


@pytest.mark.parametrize(
    "link",
    [
        "http://www.vinted.it/items/123-giacca",
        "https://www.vinted.it.example.com/items/123",
        "https://example.com/www.vinted.it/items/123",
        "https://www.vinted.it/member/123-giulia",
        "https://www.vinted.it/items/abc",
        "https://www.vinted.it/items/0",
        "https://www.vinted.it/items/123/edit",
        "https://giulia@www.vinted.it/items/123",
        "https://www.vinted.it:8443/items/123",
        "javascript:alert(1)",
        "giacca di jeans",
        "https://www.vinted.it/items/" + "1" * 21,
        "",
    ],
)
async def test_a_link_that_is_not_a_vinted_item_is_refused(client, link):
    member = await register(client)
    listing = await create_listing(client, member=member)
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/published-by-hand",
        json={"vinted_url": link},
        headers=member.headers,
    )
    assert response.status_code == 422, response.text
    problems = response.json()["fields"]
    assert [problem["field"] for problem in problems] == ["vinted_url"]
    if link:
        assert problems[0]["message"].startswith("Incolla il link di un annuncio Vinted")
    unchanged = await get_listing(client, member=member, listing_id=listing["id"])
    assert (unchanged["status"], unchanged["vinted_url"], unchanged["vinted_id"]) == ("draft", None, None)


@pytest.mark.parametrize(("status", "word"), [("sold", "venduto"), ("reserved", "riservato")])
async def test_a_sold_or_reserved_listing_cannot_be_marked_published_by_hand(client, status, word):
    member = await register(client)
    listing = await create_listing(client, member=member, status=status)
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/published-by-hand",
        json={"vinted_url": "https://www.vinted.it/items/123"},
        headers=member.headers,
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": "not_publishable",
        "detail": f"Un annuncio {word} non si può segnare come pubblicato a mano.",
    }
    unchanged = await get_listing(client, member=member, listing_id=listing["id"])
    assert (unchanged["status"], unchanged["vinted_id"]) == (status, None)


async def test_one_vinted_item_is_linked_to_one_listing_of_the_family(client):
    member = await register(client)
    relative = await invite_and_join(client, admin=member)
    first = await create_listing(client, member=member, title="Giacca di jeans")
    second = await create_listing(client, member=relative, title="Maglione")
    link = {"vinted_url": "https://www.vinted.it/items/555-giacca"}
    assert (
        await client.post(
            f"/api/v1/listings/{first['id']}/published-by-hand", json=link, headers=member.headers
        )
    ).status_code == 200
    # The same item from another Vinted site, or with another slug, is the same item.
    again = {"vinted_url": "https://www.vinted.fr/items/555-veste"}
    taken = await client.post(
        f"/api/v1/listings/{second['id']}/published-by-hand", json=again, headers=relative.headers
    )
    assert taken.status_code == 409
    assert taken.json() == {
        "error": "vinted_link_taken",
        "detail": "Questo link di Vinted è già collegato a «Giacca di jeans» della famiglia.",
    }
    assert (await get_listing(client, member=relative, listing_id=second["id"]))["status"] == "draft"
    # Correcting the link of the listing itself is fine.
    corrected = await client.post(
        f"/api/v1/listings/{first['id']}/published-by-hand",
        json={"vinted_url": "https://www.vinted.it/items/556-giacca"},
        headers=member.headers,
    )
    assert corrected.status_code == 200 and corrected.json()["vinted_id"] == "556"


async def test_undo_goes_back_to_the_earlier_status_and_forgets_the_link(client, session):
    member = await register(client)
    listing = await create_listing(client, member=member, status="ready")
    path = f"/api/v1/listings/{listing['id']}/published-by-hand"
    await client.post(path, json={"vinted_url": "https://www.vinted.it/items/9-a"}, headers=member.headers)
    # A corrected link keeps the status it came from.
    await client.post(path, json={"vinted_url": "https://www.vinted.it/items/10-a"}, headers=member.headers)
    marked = await client.get(f"/api/v1/listings/{listing['id']}", headers=member.headers)
    assert marked.json()["published_by_hand"] is True  # the dashboard offers the undo

    undone = await client.delete(path, headers=member.headers)

    assert undone.status_code == 200, undone.text
    body = undone.json()
    assert (body["status"], body["vinted_url"], body["vinted_id"]) == ("ready", None, None)
    assert body["published_by_hand"] is False
    entry = await session.scalar(
        select(AuditLog).where(AuditLog.action == "listing.published_by_hand_undone")
    )
    assert entry is not None and entry.meta == {"vinted_id": "10", "status": "ready"}
    twice = await client.delete(path, headers=member.headers)
    assert twice.status_code == 409 and twice.json()["error"] == "not_published_by_hand"
    # The item's id is free again for another listing.
    other = await create_listing(client, member=member)
    reused = await client.post(
        f"/api/v1/listings/{other['id']}/published-by-hand",
        json={"vinted_url": "https://www.vinted.it/items/10-a"},
        headers=member.headers,
    )
    assert reused.status_code == 200


async def test_a_listing_published_otherwise_cannot_be_undone_here(client):
    member = await register(client)
    listing = await create_listing(client, member=member, status="published")
    assert listing["published_by_hand"] is False
    undone = await client.delete(
        f"/api/v1/listings/{listing['id']}/published-by-hand", headers=member.headers
    )
    assert undone.status_code == 409
    assert undone.json()["detail"] == "L'annuncio non risulta pubblicato a mano: non c'è niente da annullare."


async def test_another_family_cannot_mark_or_undo(client):
    member = await register(client)
    other = await register(client, family_name="Famiglia Verdi")
    listing = await create_listing(client, member=member)
    path = f"/api/v1/listings/{listing['id']}/published-by-hand"
    link = {"vinted_url": "https://www.vinted.it/items/321"}
    assert (await client.post(path, json=link, headers=other.headers)).status_code == 404
    assert (await client.delete(path, headers=other.headers)).status_code == 404
    assert (await get_listing(client, member=member, listing_id=listing["id"]))["status"] == "draft"
    # Another family's listings do not count: their Vinted items are theirs.
    theirs = await create_listing(client, member=other)
    await client.post(path, json=link, headers=member.headers)
    assert (
        await client.post(
            f"/api/v1/listings/{theirs['id']}/published-by-hand", json=link, headers=other.headers
        )
    ).status_code == 200
