"""Read a page's charts back: the JSON island the browser draws and the table beside it."""

from __future__ import annotations

import html
import json
import re


def island(page: str, key: str) -> dict:
    """The data island of chart ``key``."""
    pattern = r'<script type="application/json" data-chart-data="' + re.escape(key) + r'">(.*?)</script>'
    m = re.search(pattern, page, re.S)
    assert m, f"no chart {key}"
    return json.loads(m.group(1))


def table(page: str, key: str) -> list[list[str]]:
    """The body rows of chart ``key``'s table, each cell as the text a person reads."""
    start = page.index(f'data-testid="chart-table-{key}"')
    body = page[page.index("<tbody>", start):page.index("</tbody>", start)]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in body.split("<tr>")[1:]]
