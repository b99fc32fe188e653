"""The one paging helper: counts and pages in SQL, whitelisted sorting, literal filters."""

from __future__ import annotations

from sqlmodel import select

from accounts import services as accounts
from accounts.models import Organisation
from accounts.roles import OrgKind
from core.paging import ListQuery, contains, fetch, narrowed, page_of_list

SORTS = {"code": Organisation.code, "name": Organisation.name}
DEFAULT = (Organisation.code, Organisation.id)


def _orgs(session, n: int) -> None:
    for i in range(n):
        accounts.create_organisation(session, None, code=f"P{i:03d}", name=f"医院{(n - i):03d}",
                                     kind=OrgKind.HOSPITAL, region_code="370100")


def _codes(page) -> list[str]:
    return [o.code for o in page.rows]


def _stmt():
    return select(Organisation).where(Organisation.code.startswith("P"))


def test_a_page_is_counted_and_cut_in_sql(session, world):
    _orgs(session, 23)
    first = fetch(session, _stmt(), ListQuery(per_page=10), SORTS, DEFAULT)
    third = fetch(session, _stmt(), ListQuery(page=3, per_page=10), SORTS, DEFAULT)
    assert (first.total, first.pages, first.page, first.first) == (23, 3, 1, 1)
    assert _codes(first) == [f"P{i:03d}" for i in range(10)]
    assert _codes(third) == ["P020", "P021", "P022"] and third.first == 21


def test_a_page_past_the_end_shows_the_last_page(session, world):
    _orgs(session, 12)
    page = fetch(session, _stmt(), ListQuery(page=99, per_page=5), SORTS, DEFAULT)
    assert page.page == 3 and _codes(page) == ["P010", "P011"]


def test_sorting_uses_the_whitelist_both_ways(session, world):
    _orgs(session, 5)
    up = fetch(session, _stmt(), ListQuery(sort="name"), SORTS, DEFAULT)
    down = fetch(session, _stmt(), ListQuery(sort="name", descending=True), SORTS, DEFAULT)
    assert [o.name for o in up.rows] == sorted(o.name for o in up.rows)
    assert _codes(down) == ["P000", "P001", "P002", "P003", "P004"]  # names count down as codes go up
    assert _codes(up) == list(reversed(_codes(down)))


def test_a_sort_key_outside_the_whitelist_never_reaches_sql(session, world):
    _orgs(session, 3)
    for hostile in ("password_hash", "code; DROP TABLE organisation", "1", "name desc", "__class__"):
        page = fetch(session, _stmt(), ListQuery(sort=hostile, descending=True), SORTS, DEFAULT)
        assert page.query.sort is None and not page.query.descending
        assert _codes(page) == ["P000", "P001", "P002"]


def test_page_sizes_are_bounded(session, world):
    _orgs(session, 3)
    assert fetch(session, _stmt(), ListQuery(per_page=0), SORTS, DEFAULT).query.per_page == 1
    assert fetch(session, _stmt(), ListQuery(per_page=10**9), SORTS, DEFAULT).query.per_page == 200


def test_filters_match_literally(session, world):
    _orgs(session, 3)
    accounts.create_organisation(session, None, code="P_X%", name="百分之百医院", kind=OrgKind.HOSPITAL,
                                 region_code="370100")

    def matching(text: str) -> list[str]:
        query = ListQuery({"q": text})
        stmt = narrowed(_stmt(), contains(query, "q", Organisation.code, Organisation.name))
        return _codes(fetch(session, stmt, query, SORTS, DEFAULT))

    assert matching("%") == ["P_X%"] and matching("_") == ["P_X%"]  # wildcards are characters here
    assert matching("p00") == ["P000", "P001", "P002"]  # case does not matter
    assert matching("医院002") == ["P001"]
    assert matching("  ") == ["P000", "P001", "P002", "P_X%"]  # a blank filter is no filter


def test_a_list_in_memory_pages_the_same_way():
    page = page_of_list(list(range(7)), ListQuery(page=5, per_page=3))
    assert (page.rows, page.total, page.page, page.pages) == ([6], 7, 3, 3)
    assert page_of_list([], ListQuery()).first == 0
