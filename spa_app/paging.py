"""Long lists a page at a time: one statement per page, in a stable order, with no silent cut.

A page is fetched with one row more than it shows, which tells whether a next page exists
without counting the whole list. The query must be ordered by a unique key last (its id), so
the same row never shows on two pages and none is skipped while the list stays the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import abort, request

from spa_app import params
from spa_app.extensions import db

T = TypeVar("T")

PER_PAGE = 50
#: A page number past this is a typo or a crawler, not a person reading back (and an OFFSET
#: that large costs the database a long scan).
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    number: int
    has_next: bool
    per_page: int = PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        """The position (from 1) of the page's first row in the whole list."""
        return (self.number - 1) * self.per_page + 1


def page_of(
    query,
    number: int = 1,
    per_page: int = PER_PAGE,
    *,
    scalars: bool = False,
    row: Callable[[Any], T] | None = None,
) -> Page[T]:
    """Page ``number`` (from 1) of the ordered select ``query``: one statement.

    ``scalars`` reads the first column of each row (an entity); ``row`` turns each result row
    into what the page holds.
    """
    paged = query.offset((number - 1) * per_page).limit(per_page + 1)
    result = db.session.execute(paged)
    rows = list(result.scalars() if scalars else result)
    if row is not None:
        rows = [row(r) for r in rows]
    return Page(rows=rows[:per_page], number=number, has_next=len(rows) > per_page,
                per_page=per_page)  # fmt: skip


def arg_page() -> int:
    """The query string's page number (1 when absent); a 404 for one that is not a page."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    number = params.as_whole(raw, most=MAX_PAGE)
    if not number:
        abort(404)
    return number


def kept_args(*names: str) -> dict[str, str]:
    """The query string's filters among ``names`` that have a value, for the pages' links."""
    return {name: value for name in names if (value := request.args.get(name, "").strip())}
