"""One page of results and one way to sort them, for every list endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    String,
    UnaryExpression,
    and_,
    asc,
    cast,
    desc,
    func,
    or_,
)

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def order_by(sort: str, columns: Mapping[str, SQLColumnExpression[Any]]) -> UnaryExpression[Any]:
    """``"price"`` sorts ascending, ``"-price"`` descending; empty values last either way.

    ``sort`` has already been validated against the endpoint's own ``Literal`` of keys.
    """
    column = columns[sort.removeprefix("-")]
    return (desc(column) if sort.startswith("-") else asc(column)).nulls_last()


@dataclass(frozen=True)
class Before:
    """A feed's cursor: the items strictly older than (at, key), newest first. ``key`` is the item's
    stable id ("sale:<uuid>"), compared bytewise (COLLATE "C", as Python compares strings) to break ties."""

    at: datetime
    key: str


def keyed(prefix: str, column: SQLColumnExpression[Any]) -> ColumnElement[str]:
    """An item's feed key as SQL: ``prefix`` and the column as text, in the bytewise collation."""
    return func.concat(prefix, cast(column, String)).collate("C")


def older_than(
    at: SQLColumnExpression[Any], key: ColumnElement[str], before: Before | None
) -> list[ColumnElement[bool]]:
    if before is None:
        return []
    return [or_(at < before.at, and_(at == before.at, key < before.key))]
