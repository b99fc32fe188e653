"""The web side of :mod:`core.paging`: a list's query read from the query string, and the URLs
the pager, the sort links and the filter form build from it.

``list_query(sorts=…, filters=…)`` reads ``page``, ``per_page`` (one of :data:`PAGE_SIZES`),
``sort`` (``key`` ascending, ``-key`` descending) and the named filters — each key prefixed with
``prefix`` on a page that shows several lists. A sort key outside the page's whitelist, a filter
the list does not know and a page that is not a number are ignored (the default order, the first
page); a page past 32 bits is refused by the input guard (400), as every query integer is.
``list_url(prefix, **changes)`` is the current URL with the same query string except
``changes`` — so filters, sort and the other lists' pages survive paging, and a new filter or
sort of a list starts that list again at page 1.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import request, url_for

from core.paging import PER_PAGE, ListQuery

PAGE_SIZES = (10, 20, 50, 100)  # what a reader may choose as ``per_page``; anything else: the default


def list_query(sorts: Iterable[str] = (), filters: Iterable[str] = (), per_page: int = PER_PAGE,
               prefix: str = "") -> ListQuery:
    """The list's query from ``request.args``; unknown sort keys and filters are ignored."""
    args = request.args
    raw = (args.get(f"{prefix}sort") or "").strip()
    key = raw.removeprefix("-")
    sort = key if key in set(sorts) else None
    page = args.get(f"{prefix}page", 1, type=int) or 1
    size = args.get(f"{prefix}per_page", per_page, type=int)
    wanted = {name: args.get(f"{prefix}{name}", "").strip() for name in filters}
    return ListQuery({k: v for k, v in wanted.items() if v}, sort, sort is not None and raw.startswith("-"),
                     max(1, page), size if size in PAGE_SIZES else per_page, prefix)


def list_url(prefix: str = "", **changes) -> str:
    """This page's URL with its query string, ``changes`` (keys without the list's prefix)
    applied; ``None`` removes a value. Any change other than the page goes back to page 1."""
    args = dict(request.args.items())
    if set(changes) - {"page"}:
        args.pop(f"{prefix}page", None)
    for key, value in changes.items():
        name = f"{prefix}{key}"
        if value is None or value == "" or (key == "page" and value == 1):
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def sort_url(key: str, prefix: str = "") -> str:
    """The URL sorting by ``key``: ascending first, descending when it is already ascending."""
    current = request.args.get(f"{prefix}sort", "")
    return list_url(prefix, sort=f"-{key}" if current == key else key)


def sort_state(key: str, prefix: str = "") -> str:
    """``ascending``/``descending`` when the list is sorted by ``key`` (for ``aria-sort``), else ``none``."""
    current = request.args.get(f"{prefix}sort", "")
    return "ascending" if current == key else "descending" if current == f"-{key}" else "none"


def list_arg(name: str) -> str:
    """A query-string value as the filter form shows it again."""
    return request.args.get(name, "")


def kept_args(prefix: str, names: Iterable[str]) -> list[tuple[str, str]]:
    """The query-string values a list's filter form carries along unchanged: everything but its
    own filters and page (the sort of this list, the other lists' state)."""
    own = {f"{prefix}{n}" for n in names} | {f"{prefix}page"}
    return [(k, v) for k, v in request.args.items(multi=True) if k not in own]


def plain_url() -> str:
    """This page's URL without a query string (the filter form's "clear")."""
    return url_for(request.endpoint, **(request.view_args or {}))


def install(app) -> None:
    """Make the URL helpers available to every template (and to imported macros)."""
    app.jinja_env.globals.update(list_url=list_url, sort_url=sort_url, sort_state=sort_state,
                                 list_arg=list_arg, kept_args=kept_args, plain_url=plain_url)
