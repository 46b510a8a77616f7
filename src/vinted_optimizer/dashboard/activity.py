"""The family's activity feed (Panoramica's "Attività"): what the members did and what happened to their
listings, sales and parcels, newest first, a page at a time. Each owning domain reads its own rows as feed
items (audit, sales, listings, shipments); this module merges them by (time, key), names who and what
each item is about in Italian, and encodes the cursor of the next page.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.dashboard.schemas import ActivityItem, ActivityKind, ActivityPage, ActivityQuery
from vinted_optimizer.kit.errors import InvalidField
from vinted_optimizer.kit.pagination import Before
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.listings import service as listings
from vinted_optimizer.sales import service as sales
from vinted_optimizer.shipments import service as shipments
from vinted_optimizer.users import service as users
from vinted_optimizer.vocabulary import SHIPMENT_STATUS_IT

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
CURSOR = re.compile(r"(\d{1,17})~((?:audit|sale|listing|published|delivered|parcel):[0-9a-f-]{1,36})")
BAD_CURSOR = "Cursore non valido: usa il valore «next» della pagina precedente."

# The audit log's actions the family sees, by kind. What the data already says (a sale recorded or
# synced, a listing published, a parcel's status) comes from the rows themselves; sign-ins, password
# resets and the server's own events are never shown.
AUDIT_KINDS: dict[str, ActivityKind] = {
    "auth.register": "member",
    "family.invite": "member",
    "family.invite_revoked": "member",
    "user.email_changed": "account",
    "user.password_changed": "account",
    "user.vinted_linked": "vinted",
    "user.vinted_unlinked": "vinted",
    "user.vinted_session_dead": "vinted",
    "vinted.synced": "vinted",
    "listing.deleted": "other",
    "listing.unpublished": "vinted",
    "listing.published_by_hand_undone": "vinted",
    "sale.updated": "sale",
    "sale.vinted_status": "sale",
    "shipment.label_bought": "parcel",
    "shipment.followed": "parcel",
    "shipment.vinted_label": "parcel",
}


def _cursor(value: str | None) -> Before | None:
    if value is None:
        return None
    match = CURSOR.fullmatch(value)
    if match is None:
        raise InvalidField("before", BAD_CURSOR)
    try:
        at = EPOCH + int(match.group(1)) * MICROSECOND
    except OverflowError as error:
        raise InvalidField("before", BAD_CURSOR) from error
    return Before(at=at, key=match.group(2))


def _encode(item: dict[str, Any]) -> str:
    return f"{(item['at'] - EPOCH) // MICROSECOND}~{item['key']}"


def _named(title: str | None, empty: str = "un annuncio senza titolo") -> str:
    return f"«{title.strip()}»" if title and title.strip() else empty


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class _Names:
    """What the page's sentences name: members, listings and sales, each read once for the page."""

    def __init__(self) -> None:
        self.users: dict[uuid.UUID, str] = {}
        self.listings: dict[uuid.UUID, str] = {}
        self.sales: dict[uuid.UUID, str] = {}

    def who(self, user_id: uuid.UUID | None) -> str:
        return self.users.get(user_id, "Un membro") if user_id else "Un membro"

    def listing(self, value: Any) -> str:
        listing_id = _uuid(value)
        return _named(self.listings.get(listing_id) if listing_id else None, "un annuncio")

    def sale(self, value: Any) -> str:
        sale_id = _uuid(value)
        return _named(self.sales.get(sale_id) if sale_id else None, "un articolo")


def _sale_of(item: dict[str, Any]) -> Any:
    if item["source"] == "parcel":
        return item["sale_id"]
    if item["source"] == "audit":
        if item["resource_type"] == "sale":
            return item["resource_id"]
        return (item["metadata"] or {}).get("sale_id")
    return None


def _audit_text(item: dict[str, Any], names: _Names) -> str:
    who = names.who(item["user_id"])
    meta = item["metadata"] or {}
    action = item["action"]
    if action == "auth.register":
        return (
            f"{who} fa ora parte della famiglia"
            if meta.get("via_invitation")
            else f"{who} ha creato la famiglia"
        )
    if action == "listing.deleted":
        count = int(meta.get("count") or 1)
        return f"{who} ha eliminato un annuncio" if count == 1 else f"{who} ha eliminato {count} annunci"
    if action == "sale.vinted_status":
        status = sales.STATUS_WORDS_IT.get(str(meta.get("after")), str(meta.get("after")))
        return f"Da Vinted: la vendita di {names.sale(item['resource_id'])} ora è {status}"
    texts = {
        "family.invite": f"{who} ha invitato una persona nella famiglia",
        "family.invite_revoked": f"{who} ha ritirato un invito",
        "user.email_changed": f"{who} ha cambiato l'indirizzo e-mail",
        "user.password_changed": f"{who} ha cambiato la password",
        "user.vinted_linked": f"{who} ha collegato il suo account Vinted",
        "user.vinted_unlinked": f"{who} ha scollegato il suo account Vinted",
        "user.vinted_session_dead": f"La sessione Vinted di {who} è scaduta: va collegata di nuovo",
        "vinted.synced": f"{who} ha sincronizzato le vendite da Vinted",
        "listing.unpublished": f"{who} ha ritirato {names.listing(item['resource_id'])} da Vinted",
        "listing.published_by_hand_undone": (
            f"{who} ha annullato la pubblicazione a mano di {names.listing(item['resource_id'])}"
        ),
        "sale.updated": f"{who} ha aggiornato la vendita di {names.sale(item['resource_id'])}",
        "shipment.label_bought": f"{who} ha acquistato l'etichetta per {names.sale(_sale_of(item))}",
        "shipment.followed": f"{who} segue la spedizione di {names.sale(_sale_of(item))}",
        "shipment.vinted_label": f"L'etichetta prepagata di Vinted per {names.sale(_sale_of(item))} è pronta",
    }
    return texts[action]


def _audit_link(item: dict[str, Any]) -> str | None:
    kind = AUDIT_KINDS[item["action"]]
    if item["resource_type"] == "listing" and item["action"] != "listing.deleted" and item["resource_id"]:
        return f"/annunci?id={item['resource_id']}"
    if item["resource_type"] == "sale" and item["resource_id"]:
        return f"/vendite?id={item['resource_id']}"
    return {"sale": "/vendite", "parcel": "/spedizioni", "member": "/famiglia", "vinted": None}.get(kind)


def _item(item: dict[str, Any], names: _Names) -> ActivityItem:
    source = item["source"]
    kind: ActivityKind
    member: uuid.UUID | None = item.get("user_id")
    if source == "audit":
        kind, text, link = AUDIT_KINDS[item["action"]], _audit_text(item, names), _audit_link(item)
    elif source == "sale":
        kind, link = "sale", f"/vendite?id={item['id']}"
        what, price = _named(item["title"], "un articolo"), sales.euro(item["sale_price"])
        text = f"{names.who(member)} ha venduto {what} a {price}"
    elif source == "listing":
        link = f"/annunci?id={item['id']}"
        if item["event"] == "created":
            kind, text = "listing_created", f"{names.who(member)} ha creato {_listing_words(item['title'])}"
        else:
            verb = "ripubblicato" if item["operation"] == "repost" else "pubblicato"
            kind, text = (
                "listing_published",
                f"{names.who(member)} ha {verb} {_named(item['title'])} su Vinted",
            )
    else:
        kind, link, member = "parcel", f"/spedizioni?id={item['id']}", None
        title = names.sale(item["sale_id"])
        if item["status"] == "delivered":
            text = f"Il pacco di {title} è stato consegnato"
        else:
            text = f"Il pacco di {title}: {SHIPMENT_STATUS_IT[item['status']].lower()}"
    return ActivityItem(
        id=item["key"],
        at=item["at"],
        kind=kind,
        text=text,
        member=names.users.get(member) if member else None,
        link=link,
    )


def _listing_words(title: str | None) -> str:
    return f"l'annuncio {_named(title)}" if title and title.strip() else "un annuncio senza titolo"


async def activity(session: AsyncSession, member: Member, query: ActivityQuery) -> ActivityPage:
    """The family's feed, newest first: each source reads at most one more than the page, the newest
    of all of them make the page, and the last one's (time, key) is the next cursor."""
    family_id = member.family_id
    before = _cursor(query.before)
    wanted = query.limit + 1
    items: list[dict[str, Any]] = []
    for row in await audit.family_feed(session, family_id, AUDIT_KINDS, before, wanted):
        items.append({**row, "source": "audit"})
    for row in await sales.activity(session, family_id, before, wanted):
        items.append({**row, "source": "sale"})
    for row in await listings.activity(session, family_id, before, wanted):
        items.append({**row, "source": "listing"})
    for row in await shipments.activity(session, family_id, before, wanted):
        items.append({**row, "source": "parcel"})
    items.sort(key=lambda item: (item["at"], item["key"]), reverse=True)
    page, more = items[: query.limit], len(items) > query.limit

    names = _Names()
    user_ids = {item["user_id"] for item in page if item.get("user_id")}
    names.users = await users.usernames(session, user_ids) if user_ids else {}
    listing_ids = {
        listing_id
        for item in page
        if item["source"] == "audit" and item["resource_type"] == "listing"
        if (listing_id := _uuid(item["resource_id"])) is not None
    }
    names.listings = await listings.titles(session, family_id, listing_ids)
    sale_ids = {sale_id for item in page if (sale_id := _uuid(_sale_of(item))) is not None}
    names.sales = await sales.titles(session, family_id, sale_ids)
    return ActivityPage(
        items=[_item(item, names) for item in page], next=_encode(page[-1]) if more and page else None
    )
