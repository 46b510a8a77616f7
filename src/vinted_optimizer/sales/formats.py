"""The sales export as files: CSV for Italian Excel and XLSX, written batch by batch.

CSV: ``;`` between fields, a decimal comma, a UTF-8 BOM (so Excel reads the accents) and CRLF, as Excel
in Italian reads and writes it. XLSX: xlsxwriter in ``constant_memory`` mode (each row goes to a temporary
file as it is written, so memory stays flat whatever the row count), typed cells (numbers, dates), the
euro format and a totals row. An XLSX file is a ZIP whose index comes last, so it is sent once built (from
the temporary file, in chunks); a CSV line is sent as soon as its batch is read.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import xlsxwriter

ROME = ZoneInfo("Europe/Rome")
BOM = "\ufeff"
CHUNK = 64 * 1024

STATUS_IT = {
    "pending": "In attesa di spedizione",
    "shipped": "Spedita",
    "delivered": "Consegnata",
    "completed": "Completata",
    "cancelled": "Annullata",
    "refunded": "Rimborsata",
}
HEADERS = (
    "Data vendita",
    "Articolo",
    "Categoria",
    "Marca",
    "Venditore",
    "Acquirente",
    "Stato",
    "Prezzo (€)",
    "Commissioni Vinted (€)",
    "Costo d'acquisto (€)",
    "Spedizione pagata (€)",
    "Utile netto (€)",
)
MONEY_FIELDS = ("sale_price", "vinted_fees", "purchase_cost", "shipping_cost", "net_profit")
TOTALS_LABEL = "Totale (escluse vendite annullate e rimborsate)"


@dataclass
class ExportRow:
    sold_at: datetime
    title: str
    category: str | None
    brand: str | None
    seller: str
    buyer: str | None
    status: str
    sale_price: Decimal
    vinted_fees: Decimal
    purchase_cost: Decimal
    shipping_cost: Decimal
    net_profit: Decimal


@dataclass
class Running:
    """The totals row, summed as the rows go by (standing sales only, as the figures)."""

    sums: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MONEY_FIELDS, Decimal("0.00")))
    count: int = 0

    def add(self, row: ExportRow) -> None:
        if row.status in ("cancelled", "refunded"):
            return
        self.count += 1
        for name in MONEY_FIELDS:
            self.sums[name] += getattr(row, name)


def _italian(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


class CsvWriter:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter=";", lineterminator="\r\n")
        self.running = Running()

    def _take(self) -> bytes:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text.encode("utf-8")

    def head(self) -> bytes:
        self.buffer.write(BOM)
        self.writer.writerow(HEADERS)
        return self._take()

    def rows(self, rows: Iterable[ExportRow]) -> bytes:
        for row in rows:
            self.running.add(row)
            self.writer.writerow(
                (
                    row.sold_at.astimezone(ROME).strftime("%d/%m/%Y"),
                    row.title,
                    row.category or "",
                    row.brand or "",
                    row.seller,
                    row.buyer or "",
                    STATUS_IT[row.status],
                    *(_italian(getattr(row, name)) for name in MONEY_FIELDS),
                )
            )
        return self._take()

    def tail(self) -> bytes:
        sums = self.running.sums
        self.writer.writerow(
            (TOTALS_LABEL, f"{self.running.count} vendite", "", "", "", "", "",
             *(_italian(sums[name]) for name in MONEY_FIELDS))
        )  # fmt: skip
        return self._take()


class XlsxWriter:
    """Rows written as they come (constant memory); ``finish`` closes the book and yields its bytes."""

    def __init__(self) -> None:
        self.file = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed in finish
        self.book = xlsxwriter.Workbook(self.file.name, {"constant_memory": True, "remove_timezone": True})
        self.sheet = self.book.add_worksheet("Vendite")
        self.euro = self.book.add_format({"num_format": "#,##0.00 [$€-410]"})
        self.day = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.bold = self.book.add_format({"bold": True})
        self.bold_euro = self.book.add_format({"bold": True, "num_format": "#,##0.00 [$€-410]"})
        self.sheet.set_column(0, 0, 12)
        self.sheet.set_column(1, 1, 40)
        self.sheet.set_column(2, 6, 18)
        self.sheet.set_column(7, 11, 14)
        self.sheet.write_row(0, 0, HEADERS, self.bold)
        self.next_row = 1
        self.running = Running()

    def rows(self, rows: Sequence[ExportRow]) -> None:
        for row in rows:
            self.running.add(row)
            line = self.next_row
            # The day in Italian time, as a real date cell.
            self.sheet.write_datetime(line, 0, row.sold_at.astimezone(ROME).replace(tzinfo=None), self.day)
            self.sheet.write_string(line, 1, row.title)
            for column, text in enumerate(
                (row.category, row.brand, row.seller, row.buyer, STATUS_IT[row.status]), start=2
            ):
                if text:
                    self.sheet.write_string(line, column, text)
            for column, name in enumerate(MONEY_FIELDS, start=7):
                self.sheet.write_number(line, column, float(getattr(row, name)), self.euro)
            self.next_row += 1

    def finish(self) -> Iterator[bytes]:
        line = self.next_row
        self.sheet.write_string(line, 0, TOTALS_LABEL, self.bold)
        self.sheet.write_number(line, 1, self.running.count, self.bold)
        for column, name in enumerate(MONEY_FIELDS, start=7):
            self.sheet.write_number(line, column, float(self.running.sums[name]), self.bold_euro)
        self.book.close()
        try:
            with open(self.file.name, "rb") as built:
                while chunk := built.read(CHUNK):
                    yield chunk
        finally:
            self.file.close()

    def discard(self) -> None:
        self.file.close()
