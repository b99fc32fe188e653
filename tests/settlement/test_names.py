"""Names instead of codes on the settlement pages: contracts by item, supplier and price; the
progress chart by hospital and item name (issue #14 item 15)."""

from __future__ import annotations

from datetime import date

from accounts.roles import Role
from settlement import services
from settlement.execution.deliveries import DeliveryInput
from tests.conftest import login
from tests.settlement.fixtures_db import NOW, setup  # noqa: F401


def test_hospital_lines_and_the_progress_chart_name_things(client, session, world, setup):  # noqa: F811
    contract = setup.contracts["YP001"]
    services.record_delivery(session, world.actors[("A", Role.SUPPLIER_REP)],
                             DeliveryInput(contract.code, 1000, date(2026, 10, 3)), NOW)
    session.commit()
    session.close()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    page = client.get("/settlement/").get_data(as_text=True)
    to_accept = page[page.index('data-testid="to-accept"'):]
    to_accept = to_accept[:to_accept.index("</table>")]
    # the item by name, the supplier it comes from, its price; the contract code only as secondary text
    assert "阿托伐他汀钙片 片剂 20mg" in to_accept and "A supplier" in to_accept and "¥0.1234/片" in to_accept
    assert f'<span class="muted">{contract.code}</span>' in to_accept
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get(f"/settlement/officer/batches/{setup.code}").get_data(as_text=True)
    labels = [part.split("</title>")[1].split("</text>")[0] for part in page.split('data-testid="progress-label"')[1:]]
    assert labels and all(label.startswith("A hospital · ") for label in labels), labels
    assert any("阿托伐他汀" in label for label in labels) and not any("YP00" in label for label in labels)
