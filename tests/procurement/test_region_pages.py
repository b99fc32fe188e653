"""The regions page names its region and the way back up (not "地区 000000")."""

from __future__ import annotations

from accounts.roles import Role
from tests.conftest import login


def test_regions_page_is_titled_by_name_with_a_trail(client, session, world):
    session.close()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    top = client.get("/catalog/regions").get_data(as_text=True)
    title = top[top.index('data-testid="regions-title"'):top.index("</h1>")]
    assert "全国" in title and "000000" not in title
    city = client.get("/catalog/regions?parent=370100").get_data(as_text=True)
    title = city[city.index('data-testid="regions-title"'):city.index("</h1>")]
    assert "A-city-1" in title
    trail = city[city.index('data-testid="region-trail"'):]
    assert trail.index("全国") < trail.index("A-city-1")
