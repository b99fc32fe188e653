"""The main menu: a few groups per role, each entry only for the roles the flat menu showed it
to, every entry a page the role may open, working without JavaScript (``<details>``)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

EVERYONE = {"nav-tasks", "nav-batches", "nav-catalog", "nav-listing", "nav-orders", "nav-inbox", "nav-paystd",
            "nav-account"}
# the entries of the flat menu this replaces, role by role (plus "My account", everyone's; minus
# "Supply" for distributors, whose page refuses them)
EXPECTED = {
    "hospital_buyer": EVERYONE | {"nav-dashboard", "nav-demand", "nav-settlement", "nav-savings", "nav-selfpay", "nav-api-tokens",
                                  "nav-supply"},
    "supplier_rep": EVERYONE | {"nav-distribution", "nav-settlement", "nav-credit", "nav-api-tokens", "nav-supply"},
    "distributor_rep": EVERYONE | {"nav-distribution", "nav-api-tokens"},
    "price_officer": EVERYONE | {"nav-supply", "nav-dashboard", "nav-demand", "nav-distribution", "nav-settlement", "nav-savings", "nav-selfpay", "nav-directpay",
                                 "nav-credit", "nav-pricewatch", "nav-jobs", "nav-api-tokens"},
    "settlement_officer": EVERYONE | {"nav-supply", "nav-dashboard", "nav-settlement", "nav-savings", "nav-selfpay", "nav-directpay", "nav-credit",
                                      "nav-pricewatch", "nav-jobs", "nav-api-tokens"},
    "admin": EVERYONE | {"nav-supply", "nav-dashboard", "nav-demand", "nav-distribution", "nav-settlement", "nav-savings", "nav-selfpay", "nav-directpay",
                         "nav-credit", "nav-pricewatch", "nav-jobs", "nav-orgs", "nav-users", "nav-bank-changes"},
}


def _menu(html: str) -> str:
    return html[html.index('<nav id="main-menu"'):html.index("</nav>", html.index('<nav id="main-menu"'))]


def _links(menu: str) -> dict[str, str]:
    """test id -> href of every link in the menu."""
    return {t: h for h, t in re.findall(r'<a href="([^"]+)" data-testid="(nav-[a-z-]+)"', menu)}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_exactly_its_entries_and_each_opens(client, world, role):
    login(client, f"a_{role}")
    links = _links(_menu(client.get("/").get_data(as_text=True)))
    assert set(links) == EXPECTED[role]
    for testid, href in links.items():
        assert client.get(href, follow_redirects=True).status_code == 200, (role, testid, href)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_menu_is_a_few_groups_without_empty_ones(client, world, role):
    login(client, f"a_{role}")
    menu = _menu(client.get("/").get_data(as_text=True))
    groups = re.findall(r'<details class="menu-group[^"]*" name="main-menu" data-testid="menu-([a-z]+)">'
                        r'\s*<summary>([^<]+)</summary>(.*?)</details>', menu, re.S)
    assert 3 <= len(groups) <= 5
    assert all(re.search(r"<a href=", body) for _key, _label, body in groups)  # none empty
    assert all(re.search(r"[\u4e00-\u9fff]", label) for _key, label, _body in groups)  # Chinese first
    assert "<script" not in menu and "onclick" not in menu  # opens without JavaScript
    if role == "distributor_rep":  # nothing to settle: no settlement group; one oversight entry: a plain link
        assert {key for key, _l, _b in groups} == {"procurement", "trade", "settings"}
        assert re.search(r'<span class="menu-top"><a href="[^"]+" data-testid="nav-paystd"', menu)


def test_the_page_shown_marks_its_group_and_link(client, world):
    login(client, "a_price_officer")
    menu = _menu(client.get("/batches").get_data(as_text=True))
    assert re.search(r'<details class="menu-group current"[^>]*data-testid="menu-procurement"', menu)
    assert re.search(r'aria-current="page">采购批次</a>', menu)
    assert menu.count(" current\"") == 1 and menu.count('aria-current="page"') == 1
    menu = _menu(client.get("/savings/").get_data(as_text=True))
    assert re.search(r'<details class="menu-group current"[^>]*data-testid="menu-money"', menu)


def test_signed_out_pages_have_no_menu(client):
    assert 'id="main-menu"' not in client.get("/login").get_data(as_text=True)
