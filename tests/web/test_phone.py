"""The phone layout's mechanisms are in every page: one table wrapper, one collapsible menu."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def test_every_table_of_every_template_sits_in_the_scroll_wrapper():
    unwrapped = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table[\s>]", text):
            if not text[:match.start()].endswith('<div class="table-scroll">'):
                unwrapped.append(f"{path.relative_to(TEMPLATES)}:{text[:match.start()].count(chr(10)) + 1}")
    assert unwrapped == []


def test_the_menu_opens_without_javascript(client, world):
    from tests.conftest import login

    login(client, "a_price_officer")
    html = client.get("/").get_data(as_text=True)
    toggle = re.search(r'<input type="checkbox" id="menu-toggle"[^>]*>\s*<label for="menu-toggle"', html)
    assert toggle and html.index('id="menu-toggle"') < html.index('<nav id="main-menu"')  # a sibling before the menu
    css = (TEMPLATES.parent / "static" / "app.css").read_text(encoding="utf-8")
    assert ".menu-toggle:checked ~ nav { display:flex; }" in css
