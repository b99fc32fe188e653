"""Refusals and notifications in the reader's language: Chinese by default, English when switched."""

from datetime import timedelta

import pytest

from accounts.roles import OrgKind, Role
from core.clock import utcnow
from core.i18n import N_
from core.money import MoneyError, parse_price_e4
from notices.services import notify_once
from tests.conftest import csrf_token, login


def _english(client):
    token = csrf_token(client, "/")
    client.post("/lang/en", data={"csrf_token": token})


def test_a_domain_message_is_translated_in_the_request(app):
    with app.test_request_context("/"):
        with pytest.raises(MoneyError) as refused:
            parse_price_e4("abc")
        assert str(refused.value) == "不是数字：'abc'"


def test_notifications_read_in_each_readers_language(app, client, world, session):
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    now = utcnow()
    notify_once(session, {hospital.id: N_("Your objection was answered: %(batch)s", batch="第一批")}, None, "t1", "B1",
                now, now - timedelta(days=1))
    notify_once(session, {hospital.id: "旧通知：请确认 / old notice: please sign"}, None, "t2", "B1",
                now, now - timedelta(days=1))
    session.commit()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    zh = client.get("/inbox").get_data(as_text=True)
    assert "您的异议已答复：第一批" in zh and "旧通知：请确认" in zh
    assert "answered" not in zh and "old notice" not in zh
    _english(client)
    en = client.get("/inbox").get_data(as_text=True)
    assert "Your objection was answered: 第一批" in en and "old notice: please sign" in en
    assert "您的异议已答复" not in en and "旧通知" not in en
