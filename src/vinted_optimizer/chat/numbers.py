"""Numbers from SQL, not from the model: a question about amounts, counts or dates answered by the
owning domains' services, the figures written out in Italian.

``answer(session, member, question, earlier, today)`` gives the exact facts (``Passage(kind="fact")``)
and one sentence that states them: the home side's model only phrases it (``ChatRequest.answer``), so a
figure in a reply is always the database's. The figures come through ``sales.service`` (stats, best
sellers, DAC7), ``shipments.service`` and ``listings.service``, never through another domain's
repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.chat.questions import Intent, Metric, italian_date, parse
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.listings import service as listings
from vinted_optimizer.sales import dac7
from vinted_optimizer.sales import service as sales
from vinted_optimizer.sales.schemas import SaleScope
from vinted_optimizer.shipments import service as shipments
from vinted_optimizer.vocabulary.statuses import SHIPMENT_TROUBLE

IN_TRANSIT = ("in_transit", "out_for_delivery", "pickup")
LISTING_STATUS_IT = {
    "draft": "in bozza",
    "ready": "pronti da pubblicare",
    "published": "pubblicati",
    "reserved": "riservati",
    "sold": "venduti",
    "hidden": "nascosti",
}
SALES_NOTE = "Contano le vendite non annullate né rimborsate."


@dataclass
class NumbersAnswer:
    metric: Metric
    facts: list[Passage] = field(default_factory=list)
    answer: str = ""


def euro(amount: Decimal) -> str:
    """€ 1.234,50 (negative: € -3,00)."""
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{abs(value):,.2f}".translate(str.maketrans(",.", ".,"))
    return f"€ {'-' if value < 0 else ''}{text}"


def decimal_it(value: Decimal, places: int = 1) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}".translate(
        str.maketrans(",.", ".,")
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _fact(key: str, title: str, text: str, link: str | None = None) -> Passage:
    return Passage(id=f"fact:{key}", kind="fact", title=title, text=text, link=link)


def _who(intent: Intent) -> tuple[str, str]:
    """(subject, verb 'have'): ("la famiglia", "ha") or ("tu", "hai")."""
    return ("la famiglia", "ha") if intent.family else ("tu", "hai")


def _period_phrase(intent: Intent) -> str:
    period = intent.period
    if period.whole_time:
        return "in totale"
    if period.start and period.end and period.start != period.end and intent.period.label.startswith("nel"):
        return f"{period.label} (dal {italian_date(period.start)} al {italian_date(period.end)})"
    return period.label


def _sales_link(intent: Intent) -> str:
    parts = []
    if intent.period.start:
        parts.append(f"dal={intent.period.start.isoformat()}")
    if intent.period.end:
        parts.append(f"al={intent.period.end.isoformat()}")
    return "/vendite" + ("?" + "&".join(parts) if parts else "")


def _scope(member: Member, intent: Intent) -> SaleScope:
    return SaleScope(
        date_from=intent.period.start, date_to=intent.period.end, member=None if intent.family else member.id
    )


async def _sales_figures(session: AsyncSession, member: Member, intent: Intent) -> NumbersAnswer:
    totals = await sales.totals(session, member, _scope(member, intent))
    when = _period_phrase(intent)
    whose = "della famiglia" if intent.family else "tue"
    _, have = _who(intent)
    link = _sales_link(intent)
    count = _plural(totals.sales, "vendita", "vendite")
    facts = [
        _fact(
            "sales_totals",
            f"Vendite {whose} {when}",
            f"Vendite {whose} {when}: {count}; incasso {euro(totals.revenue)}; commissioni Vinted "
            f"{euro(totals.vinted_fees)}; costi d'acquisto {euro(totals.purchase_cost)}; spedizioni pagate "
            f"{euro(totals.shipping_cost)}; guadagno netto {euro(totals.net_profit)}. {SALES_NOTE}",
            link,
        )
    ]
    result = NumbersAnswer(intent.metric, facts)
    subject = "La famiglia" if intent.family else "Tu"
    if intent.metric == "revenue":
        result.answer = (
            f"{when.capitalize()} {subject.lower()} {have} incassato {euro(totals.revenue)} con {count}."
        )
    elif intent.metric == "profit":
        result.answer = (
            f"{when.capitalize()} {subject.lower()} {have} guadagnato {euro(totals.net_profit)} netti "
            f"(incasso {euro(totals.revenue)}, {count})."
        )
    elif intent.metric == "sales_count":
        result.answer = (
            f"{when.capitalize()} {subject.lower()} {have} fatto {count} (incasso {euro(totals.revenue)})."
        )
    elif intent.metric == "average_price":
        if totals.average_price is None:
            result.answer = f"{when.capitalize()} non ci sono vendite: nessun prezzo medio."
        else:
            result.answer = (
                f"{when.capitalize()} il prezzo medio di vendita è {euro(totals.average_price)} su {count}."
            )
            facts.append(
                _fact("average_price", "Prezzo medio", f"Prezzo medio {when}: {euro(totals.average_price)}.")
            )
    else:  # average_days
        if totals.average_days_to_sell is None:
            result.answer = (
                f"{when.capitalize()} non ci sono vendite con la data dell'annuncio: nessuna media."
            )
        else:
            days = decimal_it(totals.average_days_to_sell, 2)
            result.answer = (
                f"{when.capitalize()} servono in media {days} giorni per vendere un articolo ({count})."
            )
            facts.append(
                _fact(
                    "average_days",
                    "Giorni per vendere",
                    f"Giorni medi dall'annuncio alla vendita {when}: {days}.",
                )
            )
    result.answer = result.answer.replace(" tu hai", " hai")
    return result


async def _best(session: AsyncSession, member: Member, intent: Intent) -> NumbersAnswer:
    group: Literal["brand", "category"] = "brand" if intent.metric == "best_brand" else "category"
    noun = "marca" if group == "brand" else "categoria"
    leaders = await sales.best_sellers(session, member, _scope(member, intent), group)
    when = _period_phrase(intent)
    whose = "della famiglia" if intent.family else "tua"
    result = NumbersAnswer(intent.metric)
    if not leaders:
        result.answer = f"{when.capitalize()} non ci sono vendite con una {noun}: nessuna classifica."
        return result
    lines = "; ".join(
        f"{i}. {g.key}: {_plural(g.sales, 'vendita', 'vendite')}, {euro(g.revenue)}"
        for i, g in enumerate(leaders[:5], 1)
    )
    result.facts.append(
        _fact(
            f"best_{group}",
            f"La {noun} {whose} più venduta {when}",
            f"Classifica {when}: {lines}.",
            _sales_link(intent),
        )
    )
    top = leaders[0]
    result.answer = (
        f"{when.capitalize()} la {noun} {whose} che vende di più è {top.key}: "
        f"{_plural(top.sales, 'vendita', 'vendite')} per {euro(top.revenue)}."
    )
    return result


async def _shipments(session: AsyncSession, member: Member, intent: Intent) -> NumbersAnswer:
    counts = await shipments.status_counts(session, member.family_id, None if intent.family else member.id)
    whose = "della famiglia" if intent.family else "tuoi"
    if intent.metric == "shipments_in_transit":
        statuses: tuple[str, ...] = IN_TRANSIT
        what = "in viaggio"
    elif intent.metric == "shipments_trouble":
        statuses = tuple(sorted(SHIPMENT_TROUBLE))
        what = "con un problema"
    else:
        statuses = ("delivered",)
        what = "consegnati"
    total = sum(counts.get(s, 0) for s in statuses)
    result = NumbersAnswer(intent.metric)
    parcels = await shipments.with_statuses(
        session, member.family_id, None if intent.family else member.id, statuses
    )
    listed = "; ".join(
        f"{p.carrier or 'corriere'} {p.tracking_code or ''} ({p.status})".replace("  ", " ") for p in parcels
    )
    result.facts.append(
        _fact(
            f"shipments_{intent.metric.removeprefix('shipments_')}",
            f"Pacchi {whose} {what}",
            f"Pacchi {whose} {what}: {total}." + (f" Ultimi: {listed}." if listed else ""),
            "/spedizioni",
        )
    )
    result.answer = f"I pacchi {whose} {what} sono {total}." if total != 1 else f"C'è 1 pacco {what}."
    return result


async def _listings(session: AsyncSession, member: Member, intent: Intent) -> NumbersAnswer:
    counts = await listings.status_counts(session, member.family_id, None if intent.family else member.id)
    whose = "della famiglia" if intent.family else "tuoi"
    every = "; ".join(f"{LISTING_STATUS_IT[s]}: {counts.get(s, 0)}" for s in LISTING_STATUS_IT)
    result = NumbersAnswer("listings")
    result.facts.append(
        _fact("listings_by_status", f"Annunci {whose} per stato", f"Annunci {whose}: {every}.", "/annunci")
    )
    if intent.listing_status is not None:
        count = counts.get(intent.listing_status, 0)
        result.answer = f"Gli annunci {whose} {LISTING_STATUS_IT[intent.listing_status]} sono {count}."
    else:
        result.answer = f"Gli annunci {whose} sono {sum(counts.values())} ({every})."
    return result


async def _dac7(session: AsyncSession, member: Member, intent: Intent, today: date) -> NumbersAnswer:
    year = intent.period.start.year if intent.period.start else today.year
    summary = await dac7.summary(session, member, year, None if intent.family else member.id)
    result = NumbersAnswer("dac7")
    sentences = []
    for entry in summary.members:
        text = (
            f"{entry.username} nel {year}: {_plural(entry.sales, 'vendita', 'vendite')} su "
            f"{summary.sales_threshold} e {euro(entry.gross)} su {euro(summary.amount_threshold)}. "
            f"{entry.message}"
        )
        result.facts.append(
            _fact(f"dac7_{entry.member_id}", f"DAC7 {year}: {entry.username}", text, "/vendite")
        )
        sentences.append(text)
    result.answer = " ".join(sentences) or f"Nessuna vendita nel {year}."
    return result


async def answer(
    session: AsyncSession, member: Member, question: str, earlier: list[str], today: date
) -> NumbersAnswer | None:
    """The exact figures the question asks for, or None when it asks for none."""
    intent = parse(question, today, earlier)
    if intent is None:
        return None
    if intent.metric in ("revenue", "profit", "sales_count", "average_price", "average_days"):
        return await _sales_figures(session, member, intent)
    if intent.metric in ("best_brand", "best_category"):
        return await _best(session, member, intent)
    if intent.metric.startswith("shipments_"):
        return await _shipments(session, member, intent)
    if intent.metric == "listings":
        return await _listings(session, member, intent)
    return await _dac7(session, member, intent, today)
