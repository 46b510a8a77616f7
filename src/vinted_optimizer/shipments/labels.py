"""Many labels in one PDF to print (pypdf): four to an A4 sheet, or one a page for a label printer.

Pure work on bytes, CPU-bound: the service runs it in a worker thread. pypdf is imported when a sheet is
made, not with the app (its import is about 6 % of the app's).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PageObject

A4 = (595.0, 842.0)  # points, portrait
PER_SHEET = 4  # 2 × 2
MARGIN = 12.0  # points around each quarter (cutting room)


def _pages(labels: Sequence[bytes]) -> list[PageObject]:
    from pypdf import PdfReader

    return [page for label in labels for page in PdfReader(io.BytesIO(label)).pages]


def _place(sheet: PageObject, page: PageObject, slot: int) -> None:
    """Scale the label into its quarter of the sheet (aspect kept, centred)."""
    from pypdf import Transformation

    sheet_width, sheet_height = A4
    cell_width, cell_height = sheet_width / 2, sheet_height / 2
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    scale = min((cell_width - 2 * MARGIN) / width, (cell_height - 2 * MARGIN) / height)
    column, row = slot % 2, slot // 2  # row 0 at the top
    left = column * cell_width + (cell_width - width * scale) / 2
    bottom = sheet_height - (row + 1) * cell_height + (cell_height - height * scale) / 2
    move = (
        Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .scale(scale, scale)
        .translate(left, bottom)
    )
    sheet.merge_transformed_page(page, move)


def merge(labels: Sequence[bytes], layout: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    pages = _pages(labels)
    if layout == "thermal":
        for page in pages:
            writer.add_page(page)
    else:
        for start in range(0, len(pages), PER_SHEET):
            sheet = writer.add_blank_page(*A4)
            for slot, page in enumerate(pages[start : start + PER_SHEET]):
                _place(sheet, page, slot)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
