"""One paging, filtering and sorting helper for every list that can grow.

A read model takes a :class:`ListQuery` (filters, sort, page), narrows its scoped statement by
the filters it knows, and hands the statement to :func:`fetch` with its **whitelist** of sort
columns. :func:`fetch` counts the rows in SQL, orders by a whitelisted column only (an unknown
key falls back to the default order: nothing a user types reaches SQL as text), and reads one
page with ``LIMIT``/``OFFSET``. The answer is a :class:`Page` — rows and total — which the web
layer renders with one pager (``web/templates/_list.html``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import or_
from sqlmodel import func, select

PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_FILTER = 100  # characters of one filter value


@dataclass(frozen=True)
class ListQuery:
    """What a user asked of a list: filters by name, a sort key (``None``: the default order),
    its direction, the page (1-based) and the page size. ``prefix`` names the list on a page
    that shows several (its query-string keys are ``<prefix>page``, ``<prefix>sort`` …)."""

    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str | None = None
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    prefix: str = ""

    def get(self, name: str) -> str | None:
        """One filter's value, stripped; ``None`` when it is not set."""
        value = (self.filters.get(name) or "").strip()
        return value[:MAX_FILTER] or None

    def pattern(self, name: str) -> str | None:
        """A filter as a ``LIKE`` pattern matching it anywhere (``%`` and ``_`` taken literally
        with the escape character ``\\``), or ``None``."""
        value = self.get(name)
        if value is None:
            return None
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


FIRST_PAGE = ListQuery()  # no filters, the default order, the first page


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the number of rows over all pages, and the query that
    produced it (after the page was bounded to the pages there are)."""

    rows: list
    total: int
    query: ListQuery

    @property
    def page(self) -> int:
        """The page shown (1-based)."""
        return self.query.page

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.query.per_page))

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based; 0 when the list is empty)."""
        return (self.page - 1) * self.query.per_page + 1 if self.rows else 0


def contains(query: ListQuery, name: str, *columns):
    """A WHERE term: any of ``columns`` contains filter ``name`` as typed (``%``/``_`` literal),
    or ``None`` when the filter is not set."""
    pattern = query.pattern(name)
    if pattern is None:
        return None
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))


def narrowed(stmt, *terms):
    """``stmt`` with every WHERE term that is not ``None``."""
    for term in terms:
        if term is not None:
            stmt = stmt.where(term)
    return stmt


def bounded(query: ListQuery, sorts: Mapping[str, Any]) -> ListQuery:
    """The query with a page size within limits and a sort key from the whitelist (or none)."""
    per_page = min(max(1, query.per_page), MAX_PER_PAGE)
    sort = query.sort if query.sort in sorts else None
    return replace(query, filters=dict(query.filters), sort=sort, descending=query.descending and sort is not None,
                   page=max(1, query.page), per_page=per_page)


def order_of(query: ListQuery, sorts: Mapping[str, Any], default: Sequence[Any]) -> list[Any]:
    """ORDER BY terms: the chosen whitelisted column(s) in the chosen direction, then the
    default order as a tie-break (so pages never overlap), or the default order alone."""
    if query.sort is None:
        return list(default)
    chosen = sorts[query.sort]
    columns = chosen if isinstance(chosen, (tuple, list)) else (chosen,)
    return [c.desc() if query.descending else c.asc() for c in columns] + list(default)


def fetch(session, stmt, query: ListQuery, sorts: Mapping[str, Any], default: Sequence[Any]) -> Page:
    """Count ``stmt``'s rows, then read the query's page of them in its order.

    ``sorts`` maps each sort key a page offers to a column (or a tuple of columns); ``default``
    is the list's own order, which must end in a unique column. A page past the end shows the
    last page.
    """
    query = bounded(query, sorts)
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    pages = max(1, -(-total // query.per_page))
    if query.page > pages:
        query = replace(query, page=pages)
    ordered = stmt.order_by(None).order_by(*order_of(query, sorts, default))
    rows = session.exec(ordered.offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    return Page(list(rows), int(total), query)


def page_of_list(rows: Sequence, query: ListQuery) -> Page:
    """A page of a list already in memory (a small read model that is computed, not queried)."""
    per_page = min(max(1, query.per_page), MAX_PER_PAGE)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, query.page), pages)
    query = replace(query, page=page, per_page=per_page)
    return Page(list(rows[(page - 1) * per_page: page * per_page]), len(rows), query)


def every_row(read: Callable[[ListQuery], Page], query: ListQuery) -> list:
    """Every row of a list with the query's filters and sort, read page by page in the list's own
    order (an export of what the page shows, not only its current page)."""
    rows: list = []
    query = replace(query, page=1, per_page=MAX_PER_PAGE)
    while True:
        page = read(query)
        rows.extend(page.rows)
        if page.query.page >= page.pages:
            return rows
        query = replace(query, page=query.page + 1)
