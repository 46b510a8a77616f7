"""The schema behaves as the design intends: generated profit, vectors, money, cascades."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import Family, Listing, Sale, User


async def _member(session) -> User:
    family = Family(name="Famiglia Test")
    session.add(family)
    await session.flush()
    user = User(
        family_id=family.id,
        email=f"{uuid.uuid4().hex}@example.it",
        username=uuid.uuid4().hex[:12],
        password_argon2="$argon2id$fake",
        role="admin",
    )
    session.add(user)
    await session.flush()
    return user


async def test_net_profit_is_generated_by_the_database(session):
    user = await _member(session)
    sale = Sale(
        family_id=user.family_id,
        user_id=user.id,
        sale_price=Decimal("25.00"),
        vinted_fees=Decimal("0.00"),
        purchase_cost=Decimal("7.50"),
        sold_at=utcnow(),
    )
    session.add(sale)
    await session.flush()
    await session.refresh(sale)
    assert sale.net_profit == Decimal("17.50")
    sale.vinted_fees = Decimal("1.20")
    await session.flush()
    await session.refresh(sale)
    assert sale.net_profit == Decimal("16.30")


async def test_money_keeps_two_decimals(session):
    user = await _member(session)
    listing = Listing(family_id=user.family_id, user_id=user.id, title="Giacca", price=Decimal("12.5"))
    session.add(listing)
    await session.flush()
    await session.refresh(listing)
    assert listing.price == Decimal("12.50")
    assert str(listing.price) == "12.50"


async def test_vectors_are_stored_and_ranked_by_cosine_distance(session):
    user = await _member(session)
    near = [1.0] + [0.0] * 511
    far = [0.0, 1.0] + [0.0] * 510
    for title, vector in (("vicino", near), ("lontano", far)):
        session.add(
            Listing(
                family_id=user.family_id,
                user_id=user.id,
                title=title,
                image_embedding=vector,
                embedding_model="test-model",
            )
        )
    await session.flush()
    query = [0.9, 0.1] + [0.0] * 510
    ranked = await session.scalars(
        select(Listing.title)
        .where(Listing.family_id == user.family_id)
        .order_by(Listing.image_embedding.cosine_distance(query))
    )
    assert list(ranked) == ["vicino", "lontano"]


async def test_status_is_constrained(session):
    user = await _member(session)
    session.add(Listing(family_id=user.family_id, user_id=user.id, title="x", status="venduto-forse"))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_deleting_a_family_cascades_to_its_data(session):
    user = await _member(session)
    listing = Listing(family_id=user.family_id, user_id=user.id, title="Borsa")
    session.add(listing)
    await session.flush()
    listing_id = listing.id
    await session.delete(await session.get(Family, user.family_id))
    await session.flush()
    session.expunge_all()
    assert await session.get(Listing, listing_id) is None
    assert await session.get(User, user.id) is None


async def test_timestamps_are_timezone_aware(session):
    user = await _member(session)
    await session.refresh(user)
    assert user.created_at.tzinfo is not None
    assert abs(user.created_at - utcnow()) < timedelta(minutes=5)
