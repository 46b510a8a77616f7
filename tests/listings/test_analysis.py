"""From photo to draft through the real AI service and a local stand-in for Ollama, run by the real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.auth.factories import register
from tests.fakes.ollama import ANSWER_CLEAN, ANSWER_FENCED, Reply
from tests.images.factories import photo, upload
from tests.listings.factories import get_listing
from tests.support.worker import run_jobs
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.listings.analysis import backoff
from vinted_optimizer.listings.tasks import retry_pending_analyses
from vinted_optimizer.models import Listing


@pytest.fixture
def settings_overrides(fake_ollama_server):
    return {"ollama_url": fake_ollama_server[1], "ollama_timeout_seconds": 2}


async def test_photo_to_draft(client, resources, fake_ollama):
    member = await register(client)
    body = (await upload(client, member=member, files=[("giacca.jpg", photo(seed=21))])).json()
    listing_id = body["listing"]["id"]
    assert body["listing"]["analysis_status"] == "pending"
    assert await run_jobs(resources) >= 1

    listing = await get_listing(client, member=member, listing_id=listing_id)
    assert listing["analysis_status"] == "done"
    assert listing["title"] == "Giacca di jeans Levi's donna"
    assert listing["brand"] == "Levi's"
    assert listing["condition"] == "very_good"
    assert listing["category"].startswith("Donna > Abbigliamento > Capispalla > Giacche")
    assert listing["category_id"]
    assert listing["description"].startswith("Giacca di jeans blu chiaro")
    assert listing["price"] == "30.00"  # the middle of the suggested € 25–35
    assert listing["ai_suggestion"]["suggested_price_min"] == "25.00"
    assert listing["ai_suggestion"]["suggested_price_max"] == "35.00"
    assert 0 < listing["ai_suggestion"]["confidence"] <= 1
    assert listing["embedding_model"] == "nomic-embed-text:v1.5"
    assert listing["status"] == "draft"  # the AI drafts, the member decides
    # What went to Ollama: the processed photo, the Italian prompt, the documented options.
    request = fake_ollama.last("/api/generate")
    assert request["model"] == "moondream" and len(request["images"]) == 1
    assert request["options"]["temperature"] == 0.1 and request["options"]["num_predict"] == 500
    embed = fake_ollama.last("/api/embed")
    assert embed["input"][0].startswith("search_document: ") and embed["dimensions"] == 512


async def test_same_photo_again_is_a_cache_hit(client, resources, fake_ollama):
    member = await register(client)
    first = (await upload(client, member=member, files=[("a.jpg", photo(seed=22))])).json()["listing"]["id"]
    await run_jobs(resources)
    calls = fake_ollama.calls["/api/generate"]
    second = (await upload(client, member=member, files=[("a-copia.jpg", photo(seed=22))])).json()["listing"][
        "id"
    ]
    await run_jobs(resources)
    assert fake_ollama.calls["/api/generate"] == calls  # no second model call
    assert (await get_listing(client, member=member, listing_id=second))["title"] == (
        await get_listing(client, member=member, listing_id=first)
    )["title"]


async def test_ollama_down_keeps_a_pending_draft_then_recovers(client, session, resources, fake_ollama):
    member = await register(client)
    fake_ollama.script(
        "/api/generate",
        *[Reply(status=503, error="server busy, please try again.  maximum pending requests exceeded")] * 2,
    )
    body = (await upload(client, member=member, files=[("b.jpg", photo(seed=23))])).json()
    listing_id = body["listing"]["id"]
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    assert listing["analysis_status"] == "pending"
    assert listing["analysis_error"]
    assert listing["colors"]  # the local part of the draft is there
    row = await session.get(Listing, listing_id)
    await session.refresh(row)
    assert row.analysis_attempts == 1
    assert row.next_analysis_at > utcnow() + timedelta(seconds=50)

    # Not due yet: the retry cron queues nothing. Once due, it does, and Ollama now answers.
    assert await retry_pending_analyses({"resources": resources}) == 0
    await session.execute(update(Listing).where(Listing.id == row.id).values(next_analysis_at=utcnow()))
    await session.commit()
    assert await retry_pending_analyses({"resources": resources}) == 1
    await run_jobs(resources)
    assert (await get_listing(client, member=member, listing_id=listing_id))["analysis_status"] == "done"


async def test_missing_model_is_explained(client, resources, fake_ollama):
    member = await register(client)
    fake_ollama.models = {"nomic-embed-text:v1.5"}
    listing_id = (await upload(client, member=member, files=[("c.jpg", photo(seed=24))])).json()["listing"][
        "id"
    ]
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    assert listing["analysis_status"] == "pending"
    assert "ollama pull moondream" in listing["analysis_error"]


async def test_member_edits_are_kept_and_reanalyze_replaces_them(client, resources, fake_ollama):
    member = await register(client)
    body = (await upload(client, member=member, files=[("d.jpg", photo(seed=25))])).json()
    listing_id, image_id = body["listing"]["id"], body["images"][0]["id"]
    await client.patch(
        f"/api/v1/listings/{listing_id}",
        json={"title": "Il mio titolo", "price": "40"},
        headers=member.headers,
    )
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    assert listing["title"] == "Il mio titolo" and listing["price"] == "40.00"
    assert listing["brand"] == "Levi's"  # empty fields were filled

    fake_ollama.default_reply = Reply(text=ANSWER_CLEAN)
    response = await client.post(f"/api/v1/images/{image_id}/reanalyze", headers=member.headers)
    assert response.status_code == 202 and response.json()["analysis_status"] == "pending"
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    assert listing["analysis_status"] == "done"
    assert listing["price"] == "40.00"  # a price the member set is never replaced


async def test_similar_listings_by_embedding(client, resources, fake_ollama):
    member = await register(client)
    ids = []
    for seed, answer in ((26, ANSWER_FENCED), (27, ANSWER_CLEAN), (28, ANSWER_FENCED)):
        fake_ollama.default_reply = Reply(text=answer)
        ids.append(
            (await upload(client, member=member, files=[(f"{seed}.jpg", photo(seed=seed))])).json()[
                "listing"
            ]["id"]
        )
        await run_jobs(resources)
    stranger = await register(client)
    fake_ollama.default_reply = Reply(text=ANSWER_FENCED)
    await upload(client, member=stranger, files=[("s.jpg", photo(seed=29))])
    await run_jobs(resources)

    response = await client.get(f"/api/v1/listings/similar/{ids[0]}", headers=member.headers)
    assert response.status_code == 200
    similar = response.json()
    assert [item["listing"]["id"] for item in similar][0] == ids[2]  # same answer, same text: nearest
    assert {item["listing"]["id"] for item in similar} == {ids[1], ids[2]}  # never another family's
    assert similar[0]["similarity"] >= similar[-1]["similarity"]


async def test_vectors_of_another_model_are_not_compared(client, session, resources, fake_ollama):
    member = await register(client)
    ids = [
        (await upload(client, member=member, files=[(f"{s}.jpg", photo(seed=s))])).json()["listing"]["id"]
        for s in (30, 31)
    ]
    await run_jobs(resources)
    await session.execute(update(Listing).where(Listing.id == ids[1]).values(embedding_model="another-model"))
    await session.commit()
    response = await client.get(f"/api/v1/listings/similar/{ids[0]}", headers=member.headers)
    assert response.json() == []
    models = await session.scalars(select(Listing.embedding_model).where(Listing.id.in_(ids)))
    assert set(models) == {"nomic-embed-text:v1.5", "another-model"}


async def test_the_upload_job_and_the_retry_cron_are_one_job(client, resources):
    member = await register(client)
    await upload(client, member=member, files=[("e.jpg", photo(seed=32))])
    assert await resources.queue.waiting() == 1
    assert await retry_pending_analyses({"resources": resources}) == 1  # due: never tried yet
    assert await resources.queue.waiting() == 1  # the same job id: the queue keeps one


async def test_a_newer_request_supersedes_the_queued_job(client, resources, fake_ollama):
    member = await register(client)
    listing_id = (await upload(client, member=member, files=[("f.jpg", photo(seed=33))])).json()["listing"][
        "id"
    ]
    await upload(client, member=member, files=[("g.jpg", photo(seed=34))], listing_id=listing_id)
    assert await resources.queue.waiting() == 2  # one job per request
    calls = fake_ollama.calls["/api/generate"]
    await run_jobs(resources)
    # Only the newer job asked the model, once per photo: it saw both.
    assert fake_ollama.calls["/api/generate"] - calls == 2
    assert (await get_listing(client, member=member, listing_id=listing_id))["analysis_status"] == "done"


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert backoff(20) == timedelta(hours=2)


async def test_the_model_s_colours_replace_the_pixels_and_the_ai_fields_are_named(
    client, resources, fake_ollama
):
    member = await register(client)
    body = (await upload(client, member=member, files=[("giacca.jpg", photo(seed=26))])).json()
    listing_id = body["listing"]["id"]
    pixels = body["listing"]["colors"]
    assert pixels and body["listing"]["ai_suggestion"]["sources"] == {"colors": "pixels"}
    assert body["listing"]["ai_fields"] == ["colors"]  # a proposal from the photo, not the member's choice
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    # The model named two valid Vinted colours: they win over the pixels' (still untouched) guess.
    assert listing["colors"] == ["Blu", "Azzurro"] and listing["color_ids"] == [9, 26]
    assert listing["ai_fields"] == [
        "title",
        "description",
        "category",
        "brand",
        "condition",
        "size",
        "colors",
        "price",
    ]
    assert listing["size"] == "M / 38 / 10" and listing["size_id"] == 4  # "Taglia M" in the description
    assert listing["ai_suggestion"]["sources"]["colors"] == "model"
    edited = await client.patch(
        f"/api/v1/listings/{listing_id}", json={"title": "Giacca blu", "price": "33"}, headers=member.headers
    )
    assert edited.json()["ai_fields"] == ["description", "category", "brand", "condition", "size", "colors"]


async def test_colours_the_member_chose_are_kept_by_the_analysis(client, resources, fake_ollama):
    member = await register(client)
    body = (await upload(client, member=member, files=[("g.jpg", photo(seed=27))])).json()
    listing_id = body["listing"]["id"]
    await client.patch(f"/api/v1/listings/{listing_id}", json={"colors": ["Nero"]}, headers=member.headers)
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    assert listing["colors"] == ["Nero"] and "colors" not in listing["ai_fields"]


async def _ai_suggestion(session, listing_id):
    return (await session.execute(select(Listing.ai_suggestion).where(Listing.id == listing_id))).scalar_one()


async def test_the_draft_takes_the_size_two_colours_material_and_sources(
    client, session, resources, fake_ollama
):
    member = await register(client)
    body = (await upload(client, member=member, files=[("giacca.jpg", photo(seed=31))])).json()
    listing_id = body["listing"]["id"]
    assert body["listing"]["colors"] == body["images"][0]["colors"]  # the upload's reading of the pixels
    fake_ollama.default_reply = Reply(
        text=ANSWER_FENCED.replace(
            '"colors": ["Blu", "azzurro"]', '"colors": ["Verde", "Giallo", "Rosso"]'
        ).replace('"price_min"', '"material": "cotone", "price_min"')
    )
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    # "Taglia M" in the model's description, as the category's Vinted size.
    assert listing["size"] == "M / 38 / 10" and listing["size_id"] == 4
    assert listing["colors"] == ["Verde", "Giallo"]  # the model's colours replace the pixels', two at most
    suggestion = await _ai_suggestion(session, listing_id)
    assert suggestion["material"] == "Cotone"
    assert suggestion["sources"]["colors"] == "model" and suggestion["sources"]["size"] == "model"
    assert suggestion["sources"]["brand"] == "model"


async def test_a_members_colours_and_size_are_kept(client, session, resources, fake_ollama):
    member = await register(client)
    body = (await upload(client, member=member, files=[("maglia.jpg", photo(seed=32))])).json()
    listing_id = body["listing"]["id"]
    await client.patch(
        f"/api/v1/listings/{listing_id}", json={"colors": ["Nero"], "size": "L"}, headers=member.headers
    )
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    # The member's "L", named as the category the AI chose names it.
    assert listing["colors"] == ["Nero"] and listing["size"] == "L / 40 / 12"
    assert (await _ai_suggestion(session, listing_id))["size"] == "M"  # the AI's proposal, kept beside


async def test_a_label_naming_one_of_the_family_s_own_brands_fills_the_brand(client, resources, fake_ollama):
    """The family's brands go with the analysis: a small tailor's name on a tag (no curated list has it)
    is recognised because the family sold it before."""
    from tests.ai.label_photos import LabelSpec, label_photo
    from tests.listings.factories import create_listing

    member = await register(client)
    await create_listing(client, member=member, brand="Sartoria Rossi")
    fake_ollama.default_reply = Reply(text=ANSWER_CLEAN)  # the model names no brand
    tag = label_photo(LabelSpec(("SARTORIA ROSSI", "TAGLIA 46")), seed=2)
    body = (await upload(client, member=member, files=[("etichetta.jpg", tag)])).json()
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=body["listing"]["id"])
    assert listing["brand"] == "Sartoria Rossi"
    assert listing["ai_suggestion"]["sources"]["brand"] == "label"
