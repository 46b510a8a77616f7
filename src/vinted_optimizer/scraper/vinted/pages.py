"""Vinted's ``pagination`` object and walking every page of a list endpoint (wardrobe, sold orders)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from vinted_optimizer.scraper.vinted.shapes import Shape

T = TypeVar("T")
# A safety stop: a wardrobe or an order history this long would take hours at the gate's pace anyway.
MAX_PAGES = 200


@dataclass(frozen=True)
class PageInfo:
    current_page: int
    total_pages: int
    total_entries: int | None


def page_info(shape: Shape, body: dict[str, Any]) -> PageInfo:
    box = shape.obj(shape.field(body, "pagination", "$"), "pagination")
    total = box.get("total_entries")
    return PageInfo(
        current_page=shape.integer(box, "current_page", "pagination"),
        total_pages=shape.integer(box, "total_pages", "pagination"),
        total_entries=total if isinstance(total, int) and not isinstance(total, bool) else None,
    )


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    info: PageInfo


async def every_page(fetch: Callable[[int], Awaitable[Page[T]]], *, max_pages: int = MAX_PAGES) -> list[T]:
    """Pages 1, 2, … until the last one (or an empty one); each fetch goes through the gate."""
    rows: list[T] = []
    number = 1
    while True:
        page = await fetch(number)
        rows.extend(page.rows)
        if not page.rows or page.info.current_page >= page.info.total_pages or number >= max_pages:
            return rows
        number += 1
