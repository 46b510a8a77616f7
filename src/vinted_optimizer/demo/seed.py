"""Seeding the demo family: every row built in memory from one ``random.Random(seed)``, then written
with bulk inserts through the models in the caller's one transaction; the photos' files go to storage.

Who sells what. Giulia (the family admin) sells most, enough to be reported under DAC7 this year; Marco
stays just under the thresholds (near them: the dashboard warns him); Nonna Rosa sells a little. Sales
follow Vinted.it's seasons (spring and autumn wardrobe changes, a quiet summer), weekends and evenings.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from vinted_optimizer.config import Settings
from vinted_optimizer.demo.items import BUYERS, PLACES, TEMPLATES, Template, item
from vinted_optimizer.demo.photos import Photo, make_photo
from vinted_optimizer.images.service import image_key
from vinted_optimizer.kit.db import create_sessionmaker
from vinted_optimizer.kit.security import Passwords
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.models import (
    AuditLog,
    Family,
    Image,
    Invitation,
    Listing,
    Notification,
    Sale,
    Shipment,
    Trend,
    TrendFollow,
    User,
)
from vinted_optimizer.scraper.trends import demand_score
from vinted_optimizer.vocabulary import COLOR_BY_NAME, SHIPMENT_STATUS_IT, ShipmentStatus, load_catalogs

ROME = ZoneInfo("Europe/Rome")
FAMILY_NAME = "Famiglia Bellini"
PASSWORD = "Vinted-Demo-2026"  # noqa: S105 - the demo's published password, printed by the command
# (username, e-mail, family role, share of the listings)
MEMBERS: tuple[tuple[str, str, str, float], ...] = (
    ("giulia", "giulia.bellini@example.it", "admin", 0.55),
    ("marco", "marco.bellini@example.it", "member", 0.28),
    ("nonna.rosa", "rosa.bellini@example.it", "member", 0.17),
)
DEMO_EMAILS = tuple(email for _, email, _, _ in MEMBERS)
# The demo's market snapshots carry this in ``sample``, so a reset finds them among the real ones.
DEMO_MARK = "demo"
# DAC7 this year (Italian calendar year): Marco near the thresholds, Nonna Rosa well under, Giulia over.
MARCO_THIS_YEAR = 26  # standing sales: 80 % of 30 is 24, so "near"; prices kept so the gross stays low
MARCO_PRICE_CAP = Decimal("55.00")
ROSA_THIS_YEAR = 9
MARCO_BEFORE, ROSA_BEFORE = 70, 35
DAYS = 730
BATCH = 1000

# Vinted.it's year: wardrobe changes in spring and autumn, a quiet August, Christmas presents.
MONTH_FACTOR = {
    1: 0.85,
    2: 0.9,
    3: 1.3,
    4: 1.45,
    5: 1.35,
    6: 0.95,
    7: 0.7,
    8: 0.55,
    9: 1.35,
    10: 1.5,
    11: 1.4,
    12: 1.1,
}
WEEKDAY_FACTOR = (0.85, 0.8, 0.85, 0.9, 1.05, 1.35, 1.6)  # Monday … Sunday
# Buyers shop in the evening (Europe/Rome), a smaller peak at lunch.
HOUR_WEIGHTS = (
    1,
    0.5,
    0.3,
    0.2,
    0.2,
    0.3,
    0.6,
    1.2,
    2.0,
    2.6,
    3.0,
    3.2,
    3.8,
    4.0,
    3.4,
    3.0,
    3.2,
    3.8,
    4.8,
    6.0,
    7.5,
    8.0,
    6.5,
    3.0,
)
# Members list their things after work and after dinner, a few at lunch.
LISTING_HOURS = (
    0.5,
    0.1,
    0,
    0,
    0,
    0,
    0.2,
    0.8,
    1.2,
    1.5,
    1.8,
    2,
    2.6,
    2.8,
    2,
    1.6,
    1.6,
    2.2,
    3.4,
    4.6,
    5.4,
    5.8,
    4,
    1.6,
)
STATUS_SHARE = {"published": 45, "reserved": 3, "ready": 10, "draft": 22, "hidden": 8}
CARRIERS = {
    "vinted": (("Poste Italiane", "poste_italiane"), ("InPost", "inpost"), ("BRT", "brt")),
    "sendcloud": (
        ("BRT", "brt"),
        ("GLS", "gls"),
        ("Poste Delivery Business", "poste_italiane"),
        ("SDA", "sda"),
    ),
    "other": (("Poste Italiane", "poste_italiane"), ("Mondial Relay", "mondial_relay")),
}
WEIGHTS_KG = {"shoe": 1.2, "bag": 0.8, "jacket": 1.1, "book": 0.4}
USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile Safari",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
)


class DemoError(Exception):
    """Why the demo cannot be seeded (the message is for the command line, Italian and English)."""


@dataclass(frozen=True)
class DemoMember:
    id: uuid.UUID
    username: str
    email: str
    role: str


@dataclass(frozen=True)
class DemoSummary:
    family_id: uuid.UUID
    family_name: str
    password: str
    members: tuple[DemoMember, ...]
    listings: int
    images: int
    sales: int
    shipments: int
    trends: int
    follows: int
    notifications: int
    audit: int
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)

    def member(self, username: str) -> DemoMember:
        return next(m for m in self.members if m.username == username)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _rome(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME).astimezone(UTC)


# --- finding and removing the demo ------------------------------------------------------------------


async def demo_family_id(session: AsyncSession) -> uuid.UUID | None:
    """The demo family: the one of that name with a member at one of the demo's e-mails (both together)."""
    query = (
        select(User.family_id)
        .join(Family, Family.id == User.family_id)
        .where(func.lower(User.email).in_(DEMO_EMAILS), Family.name == FAMILY_NAME)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def remove_demo(session: AsyncSession) -> list[str]:
    """Delete the demo family (its members, listings, photos, sales, parcels cascade), its audit rows and
    the demo's market snapshots; the storage keys of its photos, to delete once this commits."""
    family_id = await demo_family_id(session)
    keys: list[str] = []
    if family_id is not None:
        rows = await session.execute(
            select(Image.storage_path, Image.thumbnail_path).where(Image.family_id == family_id)
        )
        for path, thumb in rows.all():
            keys.append(path)
            if thumb:
                keys.append(thumb)
        await session.execute(delete(AuditLog).where(AuditLog.family_id == family_id))
        await session.execute(delete(Family).where(Family.id == family_id))
    await session.execute(delete(Trend).where(Trend.sample[DEMO_MARK].astext == "true"))
    return keys


async def _refuse_clashes(session: AsyncSession) -> None:
    if await demo_family_id(session) is not None:
        raise DemoError(
            f"La famiglia demo «{FAMILY_NAME}» esiste già: usa --reset per ricrearla. "
            "/ The demo family exists already: use --reset to create it again."
        )
    names = [username for username, _, _, _ in MEMBERS]
    query = select(User.username).where(
        or_(func.lower(User.username).in_(names), func.lower(User.email).in_(DEMO_EMAILS))
    )
    taken = (await session.execute(query)).scalars().all()
    if taken:
        raise DemoError(
            f"Un account vero usa già un nome utente o un'e-mail della demo: {', '.join(taken)}. "
            "/ A real account has a demo username or e-mail already."
        )


# --- building the rows ------------------------------------------------------------------------------


@dataclass
class _Rows:
    families: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    listings: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    sales: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    trends: list[dict[str, Any]] = field(default_factory=list)
    follows: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)


class _Builder:
    def __init__(self, rng: random.Random, now: datetime, password_hash: str) -> None:
        self.rng = rng
        self.now = now
        self.rows = _Rows()
        self.start = now - timedelta(days=DAYS + 5)
        self.family_id = _uuid(rng)
        self.members: list[DemoMember] = []
        self.member_ids: dict[str, uuid.UUID] = {}
        self.password_hash = password_hash
        self.photos: dict[tuple[int, str | None], Photo] = {}

    # family and members

    def family(self) -> None:
        rng, created = self.rng, self.start
        self.rows.families.append(
            {"id": self.family_id, "name": FAMILY_NAME, "created_at": created, "updated_at": created}
        )
        admin_id: uuid.UUID | None = None
        for position, (username, email, role, _) in enumerate(MEMBERS):
            user_id = _uuid(rng)
            joined = created + timedelta(days=3 * position, hours=rng.randint(8, 20))
            self.members.append(DemoMember(user_id, username, email, role))
            self.member_ids[username] = user_id
            self.rows.users.append(
                {
                    "id": user_id,
                    "family_id": self.family_id,
                    "email": email,
                    "username": username,
                    "password_argon2": self.password_hash,
                    "role": role,
                    "is_instance_admin": False,
                    "is_active": True,
                    "preferences": {},
                    "created_at": joined,
                    "updated_at": joined,
                }
            )
            if role == "admin":
                admin_id = user_id
                continue
            invitation_id = _uuid(rng)
            invited = joined - timedelta(hours=rng.randint(2, 30))
            self.rows.invitations.append(
                {
                    "id": invitation_id,
                    "family_id": self.family_id,
                    "email": email,
                    "role": "member",
                    "token_hash": hashlib.sha256(f"demo-{invitation_id}".encode()).hexdigest(),
                    "invited_by_id": admin_id,
                    "created_at": invited,
                    "expires_at": invited + timedelta(days=7),
                    "accepted_at": joined,
                    "accepted_by_id": user_id,
                    "note": None,
                }
            )
            self._audit("family.invite", admin_id, invited, "invitation", invitation_id, {"role": "member"})
            self._audit("auth.register", user_id, joined, "user", user_id, {})

    def _audit(
        self,
        action: str,
        user_id: uuid.UUID | None,
        at: datetime,
        resource_type: str | None,
        resource_id: Any,
        meta: dict[str, Any],
    ) -> None:
        rng = self.rng
        self.rows.audit.append(
            {
                "user_id": user_id,
                "family_id": self.family_id,
                "action": action,
                "resource_type": resource_type,
                "resource_id": str(resource_id) if resource_id is not None else None,
                "ip": f"93.{rng.randint(32, 63)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                "user_agent": rng.choice(USER_AGENTS),
                "meta": meta,
                "created_at": at,
            }
        )

    # photos

    def draw_photos(self) -> None:
        """One picture per (template, brand), in one of the template's colours: a few dozen in all."""
        for index, template in enumerate(TEMPLATES):
            for brand in template.brands[:3] or (None,):
                color = self.rng.choice(template.colors)
                hex_value = COLOR_BY_NAME[color].hex or "#B05F9E"
                self.photos[(index, brand)] = make_photo(template.shape, brand, color, hex_value, self.rng)

    def _design(self, template: Template) -> tuple[str | None, Photo]:
        index = TEMPLATES.index(template)
        brand = self.rng.choice(template.brands[:3]) if template.brands else None
        return brand, self.photos[(index, brand)]

    def _attach_photos(
        self, listing_id: uuid.UUID, user_id: uuid.UUID, photo: Photo, at: datetime, n: int
    ) -> None:
        for position in range(n):
            image_id = _uuid(self.rng)
            processed = image_key(self.family_id, listing_id, image_id, "jpg")
            thumb = image_key(self.family_id, listing_id, image_id, "thumb.jpg")
            done = photo.processed
            self.rows.files.append((processed, done.jpeg))
            self.rows.files.append((thumb, done.thumbnail))
            self.rows.images.append(
                {
                    "id": image_id,
                    "listing_id": listing_id,
                    "family_id": self.family_id,
                    "original_url": None,
                    "storage_path": processed,
                    "thumbnail_path": thumb,
                    "processed_url": f"/api/v1/images/{image_id}/file?variant=processed",
                    "thumbnail_url": f"/api/v1/images/{image_id}/file?variant=thumbnail",
                    "sha256": done.sha256,
                    "perceptual_hash": done.perceptual_hash,
                    "width": done.width,
                    "height": done.height,
                    "size_bytes": len(done.jpeg),
                    "meta": {
                        "source_type": done.source_type,
                        "original_width": done.original_width,
                        "original_height": done.original_height,
                        "colors": done.colors,
                        "quality_hints": done.quality_hints,
                        "brightness": done.brightness,
                        "sharpness": done.sharpness,
                    },
                    "is_primary": position == 0,
                    "display_order": position,
                    "created_at": at,
                }
            )

    # listings

    def _listing(
        self,
        username: str,
        status: str,
        created: datetime,
        updated: datetime,
        fields: dict[str, Any],
        photo: Photo,
        listing_id: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        listing_id = listing_id or _uuid(rng)
        user_id = self.member_ids[username]
        row: dict[str, Any] = {
            "id": listing_id,
            "family_id": self.family_id,
            "user_id": user_id,
            **fields,
            "material": None,
            "material_id": None,
            "tags": [],
            "status": status,
            "vinted_id": None,
            "vinted_url": None,
            "vinted_data": {},
            "analysis_status": "done",
            "ai_analyzed_at": created + timedelta(minutes=rng.randint(1, 5)),
            "ai_suggestion": self._suggestion(fields),
            "analysis_error": None,
            "analysis_attempts": 1,
            "analysis_requested_at": created,
            "next_analysis_at": None,
            "created_at": created,
            "updated_at": updated,
        }
        if status in ("published", "reserved", "sold", "hidden"):
            vinted_id = str(rng.randint(4_000_000_000, 5_600_000_000))
            row["vinted_id"] = vinted_id
            slug = "-".join(fields["title"].lower().replace("'", "").split()[:5])
            row["vinted_url"] = f"https://www.vinted.it/items/{vinted_id}-{slug}"
            row["vinted_data"] = {
                "published_by_hand": {
                    "previous_status": "ready",
                    "at": (created + timedelta(hours=rng.randint(1, 30))).isoformat(),
                    "user_id": str(user_id),
                }
            }
        n_photos = rng.choices((1, 2, 3), weights=(3, 4, 3))[0]
        self._attach_photos(listing_id, user_id, photo, created, n_photos)
        self.rows.listings.append(row)
        return row

    def _suggestion(self, fields: dict[str, Any]) -> dict[str, Any]:
        price = fields["price"]
        if price is None:
            return {}
        return {
            "suggested_price_min": str((price * Decimal("0.85")).quantize(Decimal("0.01"))),
            "suggested_price_max": str((price * Decimal("1.15")).quantize(Decimal("0.01"))),
            "confidence": round(self.rng.uniform(0.62, 0.94), 2),
            "model": "qwen2.5vl:7b",
            "title": fields["title"],
            "category_id": fields["category_id"],
            "brand": fields["brand"],
            "condition": fields["condition"],
            "colors": fields["colors"],
        }

    def _pick_member(self) -> str:
        return self.rng.choices([m[0] for m in MEMBERS], weights=[m[3] for m in MEMBERS])[0]

    def unsold_listings(self, count: int) -> None:
        rng, now = self.rng, self.now
        statuses = rng.choices(list(STATUS_SHARE), weights=list(STATUS_SHARE.values()), k=count)
        for status in statuses:
            username = self._pick_member()
            template = _template_of(rng, username)
            brand, photo = self._design(template)
            fields = item(rng, template, brand, photo.color)
            if status == "published":
                # Two in five have waited more than 30 days: the dashboard's "stale" ones.
                age = rng.uniform(31, 400) if rng.random() < 0.4 else rng.uniform(0.5, 29)
            elif status == "reserved":
                age = rng.uniform(2, 60)
            elif status == "hidden":
                age = rng.uniform(30, 500)
            else:
                age = rng.uniform(0.1, 45)
            created = self._listing_time(max(self.start + timedelta(days=7), now - timedelta(days=age)), now)
            updated = created + timedelta(hours=rng.uniform(0.2, 48))
            updated = min(updated, now)
            row = self._listing(username, status, created, updated, fields, photo)
            if status == "draft":
                self._draft_analysis(row)

    def _listing_time(self, around: datetime, before: datetime) -> datetime:
        """That day at an hour people list things (evenings, mostly), never after ``before``."""
        day = around.astimezone(ROME).date()
        at = _rome(day, self.rng.choices(range(24), weights=LISTING_HOURS)[0], self.rng.randrange(60))
        while at >= before:
            at -= timedelta(days=1)
        return at

    def _draft_analysis(self, row: dict[str, Any]) -> None:
        rng = self.rng
        kind = rng.choices(("done", "pending", "failed", "none"), weights=(50, 15, 10, 25))[0]
        if kind == "done":
            return
        row.update(ai_analyzed_at=None, ai_suggestion={}, analysis_status=kind)
        if kind == "none":
            row.update(analysis_attempts=0, analysis_requested_at=None, price=None, title="")
        elif kind == "pending":
            row.update(price=None, title="", description="")
        else:
            row.update(
                analysis_attempts=3,
                analysis_error="Il servizio di analisi non ha risposto: riprova più tardi.",
            )

    # sales

    def sales(self, count: int, sold_listings: int) -> None:
        rng, now = self.rng, self.now
        times = sorted(self._sale_times(count))
        year_start = datetime(now.astimezone(ROME).year, 1, 1, tzinfo=ROME).astimezone(UTC)
        statuses = [self._sale_status(at) for at in times]
        owners = ["giulia"] * count
        this_year = [i for i, at in enumerate(times) if at >= year_start and statuses[i] not in _GONE]
        before = [i for i, at in enumerate(times) if at < year_start]
        rng.shuffle(this_year)
        rng.shuffle(before)
        for i in this_year[:MARCO_THIS_YEAR]:
            owners[i] = "marco"
        for i in this_year[MARCO_THIS_YEAR : MARCO_THIS_YEAR + ROSA_THIS_YEAR]:
            owners[i] = "nonna.rosa"
        for i in before[:MARCO_BEFORE]:
            owners[i] = "marco"
        for i in before[MARCO_BEFORE : MARCO_BEFORE + ROSA_BEFORE]:
            owners[i] = "nonna.rosa"
        # The sales whose listing is still there (sold): standing ones of the last eighteen months.
        recent = [
            i for i, at in enumerate(times) if statuses[i] not in _GONE and at > now - timedelta(days=540)
        ]
        linked = set(rng.sample(recent, min(sold_listings, len(recent))))
        for i, (at, status, username) in enumerate(zip(times, statuses, owners, strict=True)):
            template = _template_of(rng, username)
            brand, photo = self._design(template)
            fields = item(rng, template, brand, photo.color)
            price = fields["price"] or Decimal("10.00")
            if username == "marco" and at >= year_start:
                price = min(price, MARCO_PRICE_CAP)
            # Most buyers pay the asking price; some sent an offer.
            sale_price = price if rng.random() < 0.7 else (price * Decimal(str(rng.uniform(0.78, 0.95))))
            sale_price = (
                sale_price.quantize(Decimal("1")) if sale_price >= 10 else sale_price.quantize(Decimal("0.5"))
            )
            listed_at = self._listing_time(
                max(self.start + timedelta(days=5), at - timedelta(days=rng.expovariate(1 / 21) + 0.2)), at
            )
            sale_id = _uuid(rng)
            listing_id = None
            if i in linked:
                fields = {**fields, "price": price}
                listing_id = self._listing(username, "sold", listed_at, at, fields, photo)["id"]
            self.rows.sales.append(
                {
                    "id": sale_id,
                    "family_id": self.family_id,
                    "listing_id": listing_id,
                    "user_id": self.member_ids[username],
                    "buyer_username": rng.choice(BUYERS),
                    "sale_price": sale_price,
                    # Italy: the buyer pays Vinted's fee (the buyer protection); the seller pays none,
                    # except the odd promotion (a "Spinta" of the listing) taken from the payout.
                    "vinted_fees": Decimal("0.00") if rng.random() > 0.03 else Decimal("1.95"),
                    "purchase_cost": fields["purchase_cost"],
                    # Shipping is the buyer's too; a label the seller bought (Sendcloud) is set below.
                    "shipping_cost": Decimal("0.00"),
                    "status": status,
                    "title": fields["title"] or template.noun,
                    "category": fields["category"],
                    "brand": fields["brand"],
                    "listed_at": listed_at,
                    "listing_status_before": "published",
                    "vinted_transaction_id": str(rng.randint(9_000_000_000, 15_000_000_000)),
                    "vinted_data": {},
                    "sold_at": at,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            if i >= count - 40 and status not in _GONE:
                self._sale_note(self.rows.sales[-1])
                self._audit(
                    "sale.recorded",
                    self.member_ids[username],
                    at,
                    "sale",
                    sale_id,
                    {"listing_id": str(listing_id), "sale_price": str(sale_price)},
                )

    def _sale_times(self, count: int) -> list[datetime]:
        rng, now = self.rng, self.now
        today = now.astimezone(ROME).date()
        days = [today - timedelta(days=offset) for offset in range(DAYS)]
        weights = [
            MONTH_FACTOR[day.month] * WEEKDAY_FACTOR[day.weekday()] * (0.7 + 0.6 * (1 - offset / DAYS))
            for offset, day in enumerate(days)
        ]
        out = []
        for day in rng.choices(days, weights=weights, k=count):
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            at = _rome(day, hour, rng.randrange(60))
            if at > now:
                at = now - timedelta(minutes=rng.randint(5, 600))
            out.append(at)
        return out

    def _sale_status(self, at: datetime) -> str:
        rng = self.rng
        age = (self.now - at).total_seconds() / 86400
        if age < 2:
            return rng.choices(("pending", "shipped"), weights=(6, 4))[0]
        if age < 6:
            return rng.choices(("shipped", "delivered", "pending"), weights=(7, 2, 1))[0]
        if age < 12:
            return rng.choices(("delivered", "completed", "shipped"), weights=(5, 4, 1))[0]
        return rng.choices(("completed", "cancelled", "refunded"), weights=(96, 2.5, 1.5))[0]

    def _sale_note(self, sale: dict[str, Any]) -> None:
        price = f"{sale['sale_price']:,.2f}".translate(str.maketrans(",.", ".,")) + " €"
        ids = {
            "sale_id": str(sale["id"]),
            "listing_id": str(sale["listing_id"]) if sale["listing_id"] else None,
        }
        self.rows.notifications.append(
            {
                "id": _uuid(self.rng),
                "family_id": self.family_id,
                "user_id": sale["user_id"],
                "kind": "sale_recorded",
                "title": f"Venduto: {sale['title'][:120]} a {price}"[:200],
                "body": f"Acquirente: {sale['buyer_username']}.",
                "data": ids,
                "dedupe_key": f"sale_recorded:{sale['id']}",
                "created_at": sale["sold_at"],
                "emailed_at": None,
            }
        )

    # shipments

    def shipments(self, count: int) -> None:
        rng = self.rng
        candidates = [s for s in self.rows.sales if s["status"] != "cancelled"]
        chosen = sorted(candidates, key=lambda s: s["sold_at"], reverse=True)[:count]
        shipped = [s for s in chosen if s["status"] == "shipped"]
        trouble: dict[uuid.UUID, str] = {}
        for sale, status in zip(
            rng.sample(shipped, min(len(shipped), 7)),
            ("delivery_failed", "delivery_failed", "exception", "exception", "pickup", "out_for_delivery"),
            strict=False,
        ):
            trouble[sale["id"]] = status
        # No news for weeks: a parcel of a sale a month old that never arrived (the sale still waits).
        old = [
            s for s in chosen if s["status"] == "completed" and s["sold_at"] < self.now - timedelta(days=20)
        ]
        for sale in old[:2]:
            sale["status"] = "shipped"
            trouble[sale["id"]] = "expired"
        for sale in chosen:
            source = rng.choices(("vinted", "sendcloud", "other"), weights=(60, 25, 15))[0]
            self._shipment(sale, source, trouble.get(sale["id"]))

    def _shipment(self, sale: dict[str, Any], source: str, forced: str | None) -> None:
        rng = self.rng
        carrier, code = rng.choice(CARRIERS[source])
        status = (
            forced
            or {
                "pending": "ready",
                "shipped": "in_transit",
                "delivered": "delivered",
                "completed": "delivered",
                "refunded": "returned",
            }[sale["status"]]
        )
        shipment_id = _uuid(rng)
        events = self._tracking(sale["sold_at"], status, carrier, source)
        status_at = datetime.fromisoformat(events[0]["at"])
        tracking_code = self._tracking_code(code)
        cost = None
        if source == "sendcloud":
            cost = Decimal(rng.choice(("4.90", "5.50", "6.20", "7.90")))
            sale["shipping_cost"] = cost
        shape = next((t.shape for t in TEMPLATES if t.noun and sale["title"].startswith(t.noun)), "top")
        self.rows.shipments.append(
            {
                "id": shipment_id,
                "family_id": self.family_id,
                "sale_id": sale["id"],
                "user_id": sale["user_id"],
                "source": source,
                "order_number": f"VO-{sale['id']}" if source == "sendcloud" else None,
                "carrier": carrier,
                "carrier_code": code,
                "shipping_option_code": f"{code}:standard" if source == "sendcloud" else None,
                "tracking_code": tracking_code,
                "tracking_url": f"https://t.17track.net/it#nums={tracking_code}",
                "label_url": None,
                "label_formats": ["pdf"],
                "shipping_cost": cost,
                "weight_kg": Decimal(str(WEIGHTS_KG.get(shape, 0.5))),
                "status": status,
                "status_message": SHIPMENT_STATUS_IT[cast(ShipmentStatus, status)],
                "status_at": status_at,
                "delivered_at": status_at if status == "delivered" else None,
                "sendcloud_shipment_id": str(rng.randint(10**8, 10**9)) if source == "sendcloud" else None,
                "sendcloud_parcel_id": str(rng.randint(10**8, 10**9)) if source == "sendcloud" else None,
                "track17_carrier": None,
                "track17_registered_at": sale["sold_at"] + timedelta(hours=20) if source == "other" else None,
                "track17_error": None,
                "tracking_events": events,
                "estimated_delivery": None,
                "last_checked_at": min(self.now, status_at + timedelta(hours=6)),
                "created_at": datetime.fromisoformat(events[-1]["at"]),  # the label, the first event
                "updated_at": status_at,
            }
        )
        note = self._parcel_note(shipment_id, sale, status, status_at)
        if note is not None:
            self.rows.notifications.append(note)
        if source == "other":
            self._audit(
                "shipment.followed",
                sale["user_id"],
                sale["sold_at"] + timedelta(hours=20),
                "shipment",
                shipment_id,
                {},
            )

    def _tracking_code(self, carrier_code: str) -> str:
        rng = self.rng
        if carrier_code == "poste_italiane":
            return f"3UW{rng.randint(10**9, 10**10 - 1)}"
        if carrier_code == "inpost":
            return str(rng.randint(10**23, 10**24 - 1))
        if carrier_code == "brt":
            return f"0{rng.randint(10**13, 10**14 - 1)}"
        return f"{carrier_code[:2].upper()}{rng.randint(10**10, 10**11 - 1)}IT"

    def _tracking(self, sold_at: datetime, status: str, carrier: str, source: str) -> list[dict[str, Any]]:
        """The parcel's history, oldest first while built, newest first when stored."""
        rng = self.rng
        by = "sendcloud" if source == "sendcloud" else "17track"
        hub, destination = rng.choice(PLACES), rng.choice(PLACES)
        at = sold_at + timedelta(hours=rng.uniform(3, 20))
        steps: list[tuple[str, str, str | None]] = [("ready", "Etichetta creata, in attesa del ritiro", None)]
        path: list[tuple[str, str, str | None]] = [
            ("in_transit", f"Pacco affidato a {carrier}", hub),
            ("in_transit", "In transito presso il centro di smistamento", hub),
            ("in_transit", "Arrivato al centro di distribuzione di destinazione", destination),
        ]
        endings: dict[str, list[tuple[str, str, str | None]]] = {
            "ready": [],
            "in_transit": path[:2],
            "out_for_delivery": [*path, ("out_for_delivery", "In consegna", destination)],
            "pickup": [
                *path,
                ("pickup", "Disponibile per il ritiro presso il punto di raccolta", destination),
            ],
            "delivered": [
                *path,
                ("out_for_delivery", "In consegna", destination),
                ("delivered", "Consegnato", destination),
            ],
            "delivery_failed": [
                *path,
                ("out_for_delivery", "In consegna", destination),
                ("delivery_failed", "Tentativo di consegna non riuscito: destinatario assente", destination),
            ],
            "exception": [*path[:2], ("exception", "Pacco in giacenza: indirizzo incompleto", hub)],
            "expired": path[:1],
            "returned": [
                *path,
                ("delivered", "Consegnato", destination),
                ("returned", "Reso al mittente", hub),
            ],
        }
        steps.extend(endings[status])
        # The label exists once the sale is recorded; a parcel's steps fit between then and now.
        # A recent sale's label was made some minutes or hours after it, and before now.
        at = max(sold_at + timedelta(minutes=5), min(at, self.now - timedelta(minutes=rng.uniform(10, 300))))
        at = min(at, self.now - timedelta(minutes=2))
        # The carrier's latest scan of a recent parcel is some minutes or hours old, not all the same.
        latest = max(at + timedelta(minutes=5), self.now - timedelta(minutes=rng.uniform(10, 480)))
        gaps = [timedelta(hours=rng.uniform(5, 30)) for _ in steps[1:]]
        room = latest - at
        total = sum(gaps, timedelta())
        if total > room:
            gaps = [gap * (room / total) for gap in gaps]
        events = []
        for position, (step_status, description, location) in enumerate(steps):
            if position:
                at += gaps[position - 1]
            events.append(
                {
                    "at": at.astimezone(UTC).isoformat(),
                    "status": step_status,
                    "description": description,
                    "location": location,
                    "source": by,
                }
            )
        return list(reversed(events))

    def _parcel_note(
        self, shipment_id: uuid.UUID, sale: dict[str, Any], status: str, at: datetime
    ) -> dict[str, Any] | None:
        if status not in ("delivered", "delivery_failed", "exception", "expired", "returned"):
            return None
        if status == "delivered" and at < self.now - timedelta(days=20):
            return None
        title = sale["title"]
        data = {"shipment_id": str(shipment_id), "sale_id": str(sale["id"]), "status": status}
        if status == "delivered":
            kind, key = "parcel_delivered", f"parcel_delivered:{shipment_id}"
            heading, body = (
                f"Pacco consegnato: {title}"[:200],
                f"Il pacco con «{title}» è stato consegnato all'acquirente.",
            )
        else:
            kind, key = "parcel_trouble", f"parcel_trouble:{shipment_id}:{status}"
            words = SHIPMENT_STATUS_IT[cast(ShipmentStatus, status)].lower()
            heading = f"Problema con il pacco: {title}"[:200]
            body = f"Il pacco con «{title}»: {words}. Controlla la spedizione."
        return {
            "id": _uuid(self.rng),
            "family_id": self.family_id,
            "user_id": sale["user_id"],
            "kind": kind,
            "title": heading,
            "body": body[:1000],
            "data": data,
            "dedupe_key": key,
            "created_at": at,
            "emailed_at": None,
        }

    # the market

    def market(self, weeks: int = 6) -> None:
        rng, now = self.rng, self.now
        catalogs = load_catalogs()
        counts = Counter(row["category_id"] for row in self.rows.listings)
        for template in TEMPLATES:
            name = catalogs[template.catalog_id].path_it
            low, high = template.price
            base = (low + high) / 2
            drift = rng.uniform(-0.08, 0.1)
            seen = {brand: rng.randint(40, 900) for brand in template.brands}
            previous = False
            for week in range(weeks - 1, -1, -1):
                at = (now - timedelta(days=7 * week)).replace(
                    hour=3, minute=rng.randint(0, 50), second=0, microsecond=0
                )
                factor = 1 + drift * (weeks - week) / weeks + rng.uniform(-0.04, 0.04)
                total = sum(seen.values()) + rng.randint(300, 2000)
                top = [{"name": b, "count": n} for b, n in sorted(seen.items(), key=lambda p: -p[1])[:5]]
                self._trend(
                    template.catalog_id, name, None, base * factor, low, high, total, top, at, previous
                )
                for brand in template.brands:
                    premium = (
                        1.25
                        if brand in ("Max Mara", "Michael Kors", "Ralph Lauren", "The North Face", "Furla")
                        else 1.0
                    )
                    self._trend(
                        template.catalog_id,
                        name,
                        brand,
                        base * factor * premium * rng.uniform(0.9, 1.1),
                        low,
                        high,
                        seen[brand],
                        [],
                        at,
                        previous,
                    )
                previous = True
        ranked = sorted(TEMPLATES, key=lambda t: -counts[t.catalog_id])
        for template in ranked[:6]:
            self._follow(template.catalog_id, None)
        for template in ranked[:3]:
            if template.brands:
                self._follow(template.catalog_id, template.brands[0])

    def _trend(
        self,
        category_id: int,
        name: str,
        brand: str | None,
        median: float,
        low: int,
        high: int,
        total: int,
        top: list[dict[str, Any]],
        at: datetime,
        previous: bool,
    ) -> None:
        rng = self.rng

        def money(value: float) -> Decimal:
            return Decimal(str(round(max(1.0, value), 2))).quantize(Decimal("0.01"))

        favourites = round(rng.uniform(0.4, 4.2), 3)
        gone = round(rng.uniform(0.02, 0.32), 4) if previous else None
        score = demand_score(favourites, gone)
        pages = min(20, max(1, total // 96))
        self.rows.trends.append(
            {
                "id": _uuid(rng),
                "category_id": category_id,
                "category_name": name[:200],
                "brand": brand,
                "avg_price": money(median * 1.08),
                "min_price": money(low * 0.35),
                "q1_price": money(median * 0.72),
                "median_price": money(median),
                "q3_price": money(median * 1.38),
                "max_price": money(high * 2.4),
                "total_items": total,
                "top_brands": top,
                "favourites_per_day": Decimal(str(favourites)),
                "disappearance_per_day": Decimal(str(gone)) if gone is not None else None,
                "demand_score": Decimal(str(score)) if score is not None else None,
                "sample": {
                    DEMO_MARK: True,
                    "pages": pages,
                    "result_count": pages * 96,
                    "total_entries": total,
                    "stopped": "pages",
                    "honoured": {"catalog_ids": [category_id], "order": "newest_first"},
                },
                "source_id": None,
                "scraped_at": at,
            }
        )

    def _follow(self, category_id: int, brand: str | None) -> None:
        at = self.now - timedelta(days=50)
        self.rows.follows.append(
            {
                "id": _uuid(self.rng),
                "family_id": self.family_id,
                "category_id": category_id,
                "category_name": load_catalogs()[category_id].path_it[:200],
                "brand": brand,
                "brand_id": None,
                "search_text": "",
                "created_at": at,
                "updated_at": at,
            }
        )

    def sign_ins(self) -> None:
        rng, now = self.rng, self.now
        for username, per_month in (("giulia", 30), ("marco", 12), ("nonna.rosa", 5)):
            for _ in range(per_month):
                day = now.astimezone(ROME).date() - timedelta(days=rng.randint(0, 30))
                at = min(now, _rome(day, rng.choices(range(24), weights=HOUR_WEIGHTS)[0], rng.randrange(60)))
                self._audit("auth.login", self.member_ids[username], at, "session", _uuid(rng), {})


_GONE = ("cancelled", "refunded")


def _template_of(rng: random.Random, username: str) -> Template:
    # Mostly what this member sells; now and then something from another wardrobe.
    pool = [t for t in TEMPLATES if t.owner == username] if rng.random() < 0.85 else list(TEMPLATES)
    return rng.choices(pool, weights=[t.weight for t in pool])[0]


# --- writing ----------------------------------------------------------------------------------------


async def _insert(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(model), list(rows[start : start + BATCH]))


async def _put_all(storage: Storage, files: Sequence[tuple[str, bytes]]) -> list[str]:
    written: list[str] = []
    gate = asyncio.Semaphore(32)

    async def put(key: str, data: bytes) -> None:
        async with gate:
            await storage.put(key, data, content_type="image/jpeg")
            written.append(key)

    try:
        await asyncio.gather(*(put(key, data) for key, data in files))
    except BaseException:
        await storage.delete(written)
        raise
    return written


async def seed_demo(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    *,
    listings: int = 1000,
    sales: int = 5000,
    shipments: int = 500,
    seed: int = 2026,
    today: datetime | None = None,
    reset: bool = False,
) -> tuple[DemoSummary, list[str]]:
    """Seed the demo family in the caller's transaction (nothing is committed here). Refuses when the
    demo family exists, unless ``reset``. Returns the summary and the storage keys of a removed demo's
    photos, to delete once the transaction commits (``run_demo`` does)."""
    begun = time.perf_counter()
    removed = await remove_demo(session) if reset else []
    await _refuse_clashes(session)
    password_hash = await Passwords(settings).hash(PASSWORD)
    rng = random.Random(seed)  # noqa: S311 - reproducible on purpose: the same seed, the same family
    now = (today or datetime.now(UTC)).astimezone(UTC)
    builder = _Builder(rng, now, password_hash)
    builder.family()
    builder.draw_photos()
    sold = min(listings, round(listings * 0.3), sales)
    builder.sales(sales, sold)
    builder.unsold_listings(listings - len(builder.rows.listings))
    builder.shipments(shipments)
    builder.market()
    builder.sign_ins()
    rows = builder.rows
    written = await _put_all(storage, rows.files)
    try:
        for model, values in (
            (Family, rows.families),
            (User, rows.users),
            (Invitation, rows.invitations),
            (Listing, rows.listings),
            (Image, rows.images),
            (Sale, rows.sales),
            (Shipment, rows.shipments),
            (Trend, rows.trends),
            (TrendFollow, rows.follows),
            (Notification, rows.notifications),
            (AuditLog, rows.audit),
        ):
            await _insert(session, model, values)
    except BaseException:
        await storage.delete(written)
        raise
    summary = DemoSummary(
        family_id=builder.family_id,
        family_name=FAMILY_NAME,
        password=PASSWORD,
        members=tuple(builder.members),
        listings=len(rows.listings),
        images=len(rows.images),
        sales=len(rows.sales),
        shipments=len(rows.shipments),
        trends=len(rows.trends),
        follows=len(rows.follows),
        notifications=len(rows.notifications),
        audit=len(rows.audit),
        seconds=round(time.perf_counter() - begun, 2),
        statuses=dict(Counter(row["status"] for row in rows.listings)),
    )
    # The same seed draws the same ids, so the same keys: a file written again is not to be deleted.
    kept = set(written)
    return summary, [key for key in removed if key not in kept]


async def run_demo(engine: AsyncEngine, storage: Storage, settings: Settings, **options: Any) -> DemoSummary:
    """``seed_demo`` in one transaction of its own; a replaced demo's photo files leave after the commit."""
    async with create_sessionmaker(engine)() as session, session.begin():
        summary, removed = await seed_demo(session, storage, settings, **options)
    await storage.delete(removed)
    return summary
