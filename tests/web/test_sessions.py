"""Server-side sessions: logout, "sign out everywhere", deactivation, idle timeout and absolute
lifetime end a session on the server, so a copied cookie stops working."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from accounts.models import UserSession
from accounts.roles import Role
from tests.conftest import csrf_token, login


def _copy(app, client):
    """A second client carrying a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(c) -> bool:
    return c.get("/").status_code == 200


def test_a_copied_cookie_stops_working_after_logout(app, client, world):
    assert login(client, world.username("A", Role.HOSPITAL_BUYER)).status_code == 302
    thief = _copy(app, client)
    assert _signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(client)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_everywhere_ends_every_session_of_the_user(app, client, world, db):
    name = world.username("A", Role.SUPPLIER_REP)
    other = app.test_client()
    login(client, name), login(other, name)
    page = client.get("/account").get_data(as_text=True)
    assert page.count("<tr><td>") >= 2  # both sessions listed
    user_id = world.users[("A", Role.SUPPLIER_REP)].id
    response = client.post(f"/account/{user_id}/logout-everywhere", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    assert not _signed_in(client) and not _signed_in(other)
    with db.read_session() as s:
        reasons = s.exec(select(UserSession.end_reason).where(UserSession.user_id == user_id)).all()
    assert reasons == ["everywhere", "everywhere"]


def test_an_admin_signs_out_a_user_of_its_region_but_not_a_foreign_one(app, client, world):
    victim = app.test_client()
    login(victim, world.username("A", Role.HOSPITAL_BUYER))
    foreign = app.test_client()
    login(foreign, world.username("B", Role.HOSPITAL_BUYER))
    login(client, world.username("A", Role.ADMIN))
    token = csrf_token(client, "/admin/users")
    refused = client.post(f"/account/{world.users[('B', Role.HOSPITAL_BUYER)].id}/logout-everywhere",
                          data={"csrf_token": token})
    assert refused.status_code == 404 and _signed_in(foreign)
    done = client.post(f"/account/{world.users[('A', Role.HOSPITAL_BUYER)].id}/logout-everywhere",
                       data={"csrf_token": token})
    assert done.status_code == 302 and not _signed_in(victim) and _signed_in(client)


def test_deactivating_a_user_ends_its_sessions(app, client, world, db):
    victim = app.test_client()
    login(victim, world.username("A", Role.PRICE_OFFICER))
    login(client, world.username("A", Role.ADMIN))
    user_id = world.users[("A", Role.PRICE_OFFICER)].id
    client.post(f"/admin/users/{user_id}/active", data={"csrf_token": csrf_token(client, "/admin/users")})
    with db.read_session() as s:
        assert s.exec(select(UserSession.end_reason).where(UserSession.user_id == user_id)).all() == ["deactivated"]
    assert not _signed_in(victim)


def _age(db, user_id, **delta):
    """Move a user's sessions back in time (as if the clock had run on)."""
    with db.write_session() as s:
        row = s.exec(select(UserSession).where(UserSession.user_id == user_id)).one()
        s.execute(update(UserSession).where(UserSession.id == row.id).values(
            last_seen_at=row.last_seen_at - timedelta(**delta.get("idle", {})),
            created_at=row.created_at - timedelta(**delta.get("age", {}))))
        s.commit()


def test_an_idle_session_ends_after_the_idle_timeout(client, world, db):
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    user_id = world.users[("A", Role.SETTLEMENT_OFFICER)].id
    _age(db, user_id, idle={"minutes": 29}, age={"minutes": 29})
    assert _signed_in(client)  # 29 minutes idle: still signed in, and last seen is refreshed
    with db.read_session() as s:
        assert s.exec(select(UserSession.end_reason).where(UserSession.user_id == user_id)).one() is None
    _age(db, user_id, idle={"minutes": 31})
    assert not _signed_in(client)
    with db.read_session() as s:
        assert s.exec(select(UserSession.end_reason).where(UserSession.user_id == user_id)).one() == "idle"


def test_a_session_ends_at_its_absolute_lifetime_even_when_used(client, world, db):
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    user_id = world.users[("A", Role.SETTLEMENT_OFFICER)].id
    _age(db, user_id, age={"hours": 12})
    assert not _signed_in(client)
    with db.read_session() as s:
        assert s.exec(select(UserSession.end_reason).where(UserSession.user_id == user_id)).one() == "expired"


def test_pages_touch_the_session_at_most_once_a_minute(client, world, db):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    with db.read_session() as s:
        first = s.exec(select(UserSession.last_seen_at)).one()
    for _ in range(3):
        assert _signed_in(client)
    with db.read_session() as s:
        assert s.exec(select(UserSession.last_seen_at)).one() == first


def test_the_database_keeps_no_usable_token(client, world, db):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    with db.read_session() as s:
        stored = s.exec(select(UserSession.token_hash)).one()
    assert stored not in client.get_cookie("session").value
