"""Offset pagination over a select, with the total counted once."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    # True when the count stopped at a bound: `total` is a floor, shown as "1,000+".
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def total_label(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def pages_label(self) -> str:
        return f"{self.pages:,}+" if self.capped else f"{self.pages:,}"

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.capped or self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def parse_page(value: Any) -> int:
    """A page number from the query string; nonsense becomes page 1."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def paginate(stmt: sa.Select, *, page: int, per_page: int, total: int | None = None,
             scalars: bool = True) -> Page:
    """Run one page of a select; count the whole once unless the caller already knows it."""
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(
            stmt.order_by(None).subquery())) or 0
    last = max(1, math.ceil(total / per_page))
    page = min(page, last)
    query = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(query)
    items = list(result.scalars().unique() if scalars else result.all())
    return Page(items=items, page=page, per_page=per_page, total=total)
