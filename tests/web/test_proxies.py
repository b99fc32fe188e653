"""Forwarded headers are trusted only from configured proxies; a busy address is never refused."""

from __future__ import annotations

from sqlmodel import select

from accounts.models import LoginAttempt
from accounts.roles import Role
from app import create_app
from tests.conftest import FAST_HASH, PASSWORD, csrf_token


def _app(db, database_url, tmp_path, hops: int):
    app = create_app({"database_url": database_url, "instance_path": str(tmp_path / "instance"), "TESTING": True,
                      "trusted_proxy_hops": hops, "login_address_max_delay_seconds": 0, **FAST_HASH})
    app.extensions["jicai.db"].dispose()
    app.extensions["jicai.db"] = db
    return app


def _try(client, username, password, forwarded):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": "10.9.9.9"})


def _addresses(db):
    with db.read_session() as s:
        return s.exec(select(LoginAttempt.address)).all()


def test_forwarded_for_is_ignored_without_trusted_proxies(db, database_url, tmp_path, world):
    client = _app(db, database_url, tmp_path, 0).test_client()
    _try(client, "ghost", "wrong-password-1", "203.0.113.5")
    assert _addresses(db) == ["10.9.9.9"]


def test_forwarded_for_from_the_one_trusted_proxy_names_the_client(db, database_url, tmp_path, world):
    client = _app(db, database_url, tmp_path, 1).test_client()
    _try(client, "ghost", "wrong-password-1", "198.51.100.66, 203.0.113.5")  # first part forged by the client
    assert _addresses(db) == ["203.0.113.5"]


def test_a_hospital_behind_one_address_still_signs_in_after_many_failures(db, database_url, tmp_path, world):
    client = _app(db, database_url, tmp_path, 0).test_client()
    for i in range(25):  # more than the old per-address limit of 20
        assert _try(client, f"nurse{i}", "wrong-password-1", "-").status_code == 401
    ok = _try(client, world.username("A", Role.HOSPITAL_BUYER), PASSWORD, "-")
    assert ok.status_code == 302
