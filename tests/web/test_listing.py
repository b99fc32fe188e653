"""Lists page, filter and sort on the server, keep their query string, and ignore hostile values."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.web.listing_fixtures import published_with_contracts


@pytest.fixture
def code(db, session, world, ring):
    return published_with_contracts(db, session, world, ring)


def _contract_codes(html: str) -> list[str]:
    body = html.split('data-testid="contracts"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-testid="contract-code">([^<]+)</td>', body)


def _hospitals(html: str) -> list[str]:
    body = html.split('data-testid="contracts"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-testid="contract-hospital">([^<]+)</td>', body)


def test_the_bureau_pages_the_contracts_with_a_count(client, code):
    login(client, "a_price_officer")
    first = client.get(f"/batches/{code}/contracts?per_page=10").get_data(as_text=True)
    second = client.get(f"/batches/{code}/contracts?per_page=10&page=2").get_data(as_text=True)
    assert "共 15 条，第 1/2 页" in first and "共 15 条，第 2/2 页" in second
    assert len(_contract_codes(first)) == 10 and len(_contract_codes(second)) == 5
    assert not set(_contract_codes(first)) & set(_contract_codes(second))
    assert 'href="/batches/DB1/contracts?per_page=10&amp;page=2"' in first  # the query string is kept


def test_filters_narrow_the_list_and_survive_paging(client, code):
    login(client, "a_price_officer")
    html = client.get(f"/batches/{code}/contracts?hospital=测试医院0&per_page=10&sort=-hospital").get_data(as_text=True)
    names = _hospitals(html)
    assert names == [f"测试医院{n:02d}" for n in range(9, -1, -1)]  # 00 … 09, sorted by name descending
    assert "共 10 条，第 1/1 页" in html
    page2 = client.get(f"/batches/{code}/contracts?hospital=测试医院&per_page=10").get_data(as_text=True)
    link = re.search(r'href="([^"]*page=2[^"]*)"', page2).group(1).replace("&amp;", "&")
    assert "hospital=" in link and "per_page=10" in link
    assert client.get(f"/batches/{code}/contracts?status=signed").get_data(as_text=True).count("共 0 条") == 1
    assert "共 15 条" in client.get(f"/batches/{code}/contracts?status=unsigned&supplier=B").get_data(as_text=True)
    assert "共 0 条" in client.get(f"/batches/{code}/contracts?item=YP102").get_data(as_text=True)


def test_sorting_by_a_column_orders_every_page(client, code):
    login(client, "a_price_officer")
    up = _hospitals(client.get(f"/batches/{code}/contracts?sort=hospital").get_data(as_text=True))
    down = _hospitals(client.get(f"/batches/{code}/contracts?sort=-hospital").get_data(as_text=True))
    assert up == sorted(up) and down == list(reversed(up)) and len(up) == 15
    html = client.get(f"/batches/{code}/contracts?sort=hospital").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "sort=-hospital" in html  # the header link flips the order


@pytest.mark.parametrize("args", ["sort=password_hash", "sort=code%3BDROP%20TABLE%20contract", "sort=--code",
                                  "page=abc", "page=-5", "per_page=100000", "status=%27%20OR%201%3D1",
                                  "hospital=%25", "hospital=_", "unknown=1"])
def test_hostile_list_values_are_ignored(client, code, args):
    login(client, "a_price_officer")
    res = client.get(f"/batches/{code}/contracts?{args}")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    expected = 0 if args.startswith("hospital=") else 15
    assert f"共 {expected} 条" in html


@pytest.mark.parametrize("args", ["page=99999999999", "page=1%00", "hospital=" + "x" * 3000])
def test_impossible_list_values_are_refused(client, code, args):
    login(client, "a_price_officer")
    assert client.get(f"/batches/{code}/contracts?{args}").status_code == 400


def test_a_hospital_filtering_for_another_hospital_sees_nothing_of_it(client, code):
    login(client, "a_hospital_buyer")
    mine = client.get(f"/batches/{code}/contracts").get_data(as_text=True)
    assert "共 1 条" in mine
    assert "共 0 条" in client.get(f"/batches/{code}/contracts?hospital=测试医院").get_data(as_text=True)


def test_other_lists_use_the_same_helper(client, code):
    login(client, "a_price_officer")
    batches = client.get("/batches?q=DB&sort=-code").get_data(as_text=True)
    assert "共 1 条" in batches and 'data-testid="list-filters"' in batches
    assert "共 0 条" in client.get("/batches?status=draft").get_data(as_text=True)
    opening = client.get(f"/batches/{code}/opening?valid=yes&sort=-ucp").get_data(as_text=True)
    assert "共 2 条" in opening and opening.index("0.1400") < opening.index("0.1300")
    items = client.get("/catalog/items?q=YP102").get_data(as_text=True)
    assert "共 1 条" in items
    login(client, "a_admin")
    orgs = client.get("/admin/orgs?q=测试医院&per_page=10").get_data(as_text=True)
    assert "共 14 条，第 1/2 页" in orgs
    users = client.get("/admin/users?role=hospital_buyer").get_data(as_text=True)
    assert "共 1 条" in users and "a_hospital_buyer" in users and "a_supplier_rep" not in users
