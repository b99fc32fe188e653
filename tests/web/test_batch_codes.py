"""A batch code no batch can have (a NUL byte, too long) is a 404 on pages and in the API, never
a database error (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

from accounts.roles import Role
from procurement.queries import plausible_code
from tests.conftest import login


def test_plausible_codes():
    assert plausible_code("SD-2026-01") and plausible_code("集采-第十批")
    assert not plausible_code("SD\x00") and not plausible_code("x" * 41) and not plausible_code("a\nb")


def test_impossible_codes_are_not_found_on_pages(client, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    for path in ("/batches/SD%00X", f"/batches/{'X' * 41}", "/batches/SD%00X/demand/progress"):
        assert client.get(path).status_code == 404, path
