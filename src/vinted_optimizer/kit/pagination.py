"""One page of results and one way to sort them, for every list endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import SQLColumnExpression, UnaryExpression, asc, desc

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
