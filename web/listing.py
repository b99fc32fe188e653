"""The web side of :mod:`core.paging`: a list's query read from the query string, and the URLs
the pager, the sort links and the filter form build from it.

``list_query(sorts=…, filters=…)`` reads ``page``, ``per_page`` (one of :data:`PAGE_SIZES`),
``sort`` (``key`` ascending, ``-key`` descending) and the named filters. A sort key outside the page's whitelist and a page that is
not a number are ignored (the default order, the first page); a page past 32 bits is refused by
the input guard (400), as every query integer is. ``list_url(**changes)`` is the current URL
with the same query string except ``changes`` — so filters and sort survive paging, and a new
filter or sort starts again at page 1.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import request, url_for

from core.paging import PER_PAGE, ListQuery

PAGE_SIZES = (10, 20, 50, 100)  # what a reader may choose as ``per_page``; anything else: the default


def list_query(sorts: Iterable[str] = (), filters: Iterable[str] = (), per_page: int = PER_PAGE) -> ListQuery:
    """The list's query from ``request.args``; unknown sort keys and filters are ignored."""
    args = request.args
    raw = (args.get("sort") or "").strip()
    key = raw.removeprefix("-")
    sort = key if key in set(sorts) else None
    page = args.get("page", 1, type=int) or 1
    size = args.get("per_page", per_page, type=int)
    wanted = {name: args.get(name, "").strip() for name in filters}
    return ListQuery({k: v for k, v in wanted.items() if v}, sort, sort is not None and raw.startswith("-"),
                     max(1, page), size if size in PAGE_SIZES else per_page)


def list_url(**changes) -> str:
    """This page's URL with its query string, ``changes`` applied (``None`` removes a value).
    Any change other than the page itself goes back to page 1."""
    args = {k: v for k, v in request.args.items()}
    if set(changes) - {"page"}:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "" or (key == "page" and value == 1):
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def sort_url(key: str) -> str:
    """The URL sorting by ``key``: ascending first, descending when it is already ascending."""
    current = request.args.get("sort", "")
    return list_url(sort=f"-{key}" if current == key else key)


def sort_state(key: str) -> str:
    """``ascending``/``descending`` when the list is sorted by ``key`` (for ``aria-sort``), else ``none``."""
    current = request.args.get("sort", "")
    return "ascending" if current == key else "descending" if current == f"-{key}" else "none"


def list_arg(name: str) -> str:
    """A query-string value as the filter form shows it again."""
    return request.args.get(name, "")


def plain_url() -> str:
    """This page's URL without a query string (the filter form's "clear")."""
    return url_for(request.endpoint, **(request.view_args or {}))


def install(app) -> None:
    """Make the URL helpers available to every template (and to imported macros)."""
    app.jinja_env.globals.update(list_url=list_url, sort_url=sort_url, sort_state=sort_state,
                                 list_arg=list_arg, plain_url=plain_url)
