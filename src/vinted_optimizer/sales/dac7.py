"""DAC7 (EU directive 2021/514): what Vinted reports to the tax authority about each seller, per year.

A platform reports a seller whose sales in a calendar year reach **30 sales or €2,000** (either one),
with the consideration paid and the fees the platform withheld, per quarter. Which sales count here: the
*consideration paid* — every sale the buyer paid for that still stands (pending, shipped, delivered,
completed); cancelled and refunded sales paid nothing in the end and are left out. The year and its
quarters are Italian calendar time. This is a check for the member against Vinted's pre-filled report,
not a tax computation.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.errors import NotFound
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.sales import repository
from vinted_optimizer.sales.schemas import Dac7Member, Dac7Quarter, Dac7Summary
from vinted_optimizer.users import service as users

ROME = ZoneInfo("Europe/Rome")
SALES_THRESHOLD = 30
AMOUNT_THRESHOLD = Decimal("2000.00")
WARNING_RATIO = Decimal("0.80")
ZERO = Decimal("0.00")

WHAT_COUNTS = (
    "Contano le vendite pagate dall'acquirente nell'anno solare (in attesa di spedizione, spedite, "
    "consegnate o completate); quelle annullate o rimborsate no, perché alla fine non hai incassato nulla."
)
EXPLANATION = (
    "DAC7 è una regola europea di comunicazione, non una tassa: Vinted comunica all'Agenzia delle Entrate "
    "chi nell'anno raggiunge 30 vendite oppure 2.000 € di vendite. Essere segnalati non significa dover "
    "pagare qualcosa: vendere oggetti usati di casa propria, di solito, non è un reddito."
)
PARTITA_IVA = (
    "Se vendi in modo abituale (ad esempio compri per rivendere, o vendi con continuità come un'attività), "
    "potrebbe servire la partita IVA: chiedi a un commercialista."
)


class MemberNotFound(NotFound):
    default_detail = "Membro della famiglia non trovato (campo member)."


def _year(year: int) -> tuple[datetime, datetime]:
    def start(y: int) -> datetime:
        return datetime(y, 1, 1, tzinfo=ROME).astimezone(UTC)

    return start(year), start(year + 1)


def _ratio(value: Decimal, threshold: Decimal) -> Decimal:
    return (value / threshold).quantize(Decimal("0.0001"))


def _message(reported: bool, warning: bool) -> str:
    if reported:
        return "Hai raggiunto una soglia DAC7: Vinted comunicherà le tue vendite di quest'anno."
    if warning:
        return (
            "Sei vicino a una soglia DAC7 (30 vendite o 2.000 €): oltre, Vinted comunicherà le tue vendite."
        )
    return "Sei sotto le soglie DAC7: Vinted non comunicherà le tue vendite di quest'anno."


def _member(member_id: uuid.UUID, username: str, rows: list[dict[str, Any]]) -> Dac7Member:
    by_quarter = {int(row["quarter"]): row for row in rows}
    quarters = [
        Dac7Quarter(
            quarter=q,
            sales=int(by_quarter[q]["sales"]) if q in by_quarter else 0,
            gross=Decimal(by_quarter[q]["gross"]) if q in by_quarter else ZERO,
            fees=Decimal(by_quarter[q]["fees"]) if q in by_quarter else ZERO,
        )
        for q in range(1, 5)
    ]
    sales = sum(q.sales for q in quarters)
    gross = sum((q.gross for q in quarters), ZERO)
    fees = sum((q.fees for q in quarters), ZERO)
    sales_ratio = _ratio(Decimal(sales), Decimal(SALES_THRESHOLD))
    amount_ratio = _ratio(gross, AMOUNT_THRESHOLD)
    reported = sales >= SALES_THRESHOLD or gross >= AMOUNT_THRESHOLD
    # On the exact figures, not the rounded ratios (€1,599.99 is 0.799995, below the warning).
    near = sales >= WARNING_RATIO * SALES_THRESHOLD or gross >= WARNING_RATIO * AMOUNT_THRESHOLD
    warning = not reported and near
    return Dac7Member(
        member_id=member_id,
        username=username,
        sales=sales,
        gross=gross,
        fees=fees,
        quarters=quarters,
        sales_ratio=sales_ratio,
        amount_ratio=amount_ratio,
        reported=reported,
        warning=warning,
        message=_message(reported, warning),
    )


async def summary(
    session: AsyncSession, member: Member, year: int, only: uuid.UUID | None = None
) -> Dac7Summary:
    names = await users.family_member_names(session, member.family_id)
    if only is not None:
        if only not in names:
            raise MemberNotFound()
        names = {only: names[only]}
    start, end = _year(year)
    rows = await repository.yearly_by_member(session, member.family_id, start, end, only)
    return Dac7Summary(
        year=year,
        sales_threshold=SALES_THRESHOLD,
        amount_threshold=AMOUNT_THRESHOLD,
        warning_ratio=WARNING_RATIO,
        what_counts=WHAT_COUNTS,
        explanation=EXPLANATION,
        partita_iva=PARTITA_IVA,
        members=[
            _member(member_id, username, [row for row in rows if row["user_id"] == member_id])
            for member_id, username in names.items()
        ],
    )


def _italian(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


async def export_csv(session: AsyncSession, member: Member, year: int, only: uuid.UUID) -> tuple[str, bytes]:
    """What Vinted will report for one member and year, per quarter and in total (a few lines: built at
    once), as CSV for Italian Excel."""
    found = (await summary(session, member, year, only)).members[0]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(("Periodo", "Numero di vendite", "Importo lordo (€)", "Commissioni Vinted (€)"))
    for quarter in found.quarters:
        writer.writerow(
            (
                f"{quarter.quarter}° trimestre {year}",
                quarter.sales,
                _italian(quarter.gross),
                _italian(quarter.fees),
            )
        )
    writer.writerow((f"Totale {year}", found.sales, _italian(found.gross), _italian(found.fees)))
    writer.writerow(())
    writer.writerow(("Soglia superata", "sì" if found.reported else "no"))
    writer.writerow(("Nota", EXPLANATION))
    return f"dac7_{year}_{found.username}.csv", buffer.getvalue().encode("utf-8")
