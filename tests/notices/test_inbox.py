"""The inbox: a notice is written for an organisation (or one role of it), seen only by those
users, unread first, and marked read once — by the pages and by the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from core.clock import utcnow
from core.i18n import N_
from notices.lists import inbox_page
from notices.models import Notification
from notices.queries import inbox
from notices.services import mark_read, notify
from tests.conftest import csrf_token, login


def test_a_notice_for_one_role_is_seen_by_that_role_only(session, world):
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    now = utcnow()
    notify(session, {hospital.id}, Role.HOSPITAL_BUYER, "t1", "B1", N_("Inbox"), now)
    notify(session, [hospital.id], None, "t2", "B1", "给全体 / for everyone", now + timedelta(seconds=1))
    session.commit()
    buyer = world.actors[("A", Role.HOSPITAL_BUYER)]
    assert [n.kind for n in inbox(session, buyer)] == ["t2", "t1"]
    assert inbox_page(session, buyer).total == 2
    foreign = world.actors[("B", Role.HOSPITAL_BUYER)]
    assert inbox(session, foreign) == [] and inbox_page(session, foreign).total == 0


def test_marking_read_once_and_never_someone_elses(session, world):
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    now = utcnow()
    notify(session, [hospital.id], Role.HOSPITAL_BUYER, "t1", "B1", "请确认 / please sign", now)
    session.commit()
    note = session.exec(select(Notification)).one()
    with pytest.raises(Forbidden):
        mark_read(session, world.actors[("B", Role.HOSPITAL_BUYER)], note.id, now)
    buyer = world.actors[("A", Role.HOSPITAL_BUYER)]
    mark_read(session, buyer, note.id, now + timedelta(minutes=1))
    mark_read(session, buyer, note.id, now + timedelta(minutes=2))  # read already: kept as first read
    session.refresh(note)
    assert note.read_at == now + timedelta(minutes=1)


def test_the_inbox_page_marks_a_notice_read(client, session, world):
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    notify(session, [hospital.id], None, "t1", "B1", "旧通知：请确认 / old notice: please sign", utcnow())
    session.commit()
    note_id = session.exec(select(Notification.id)).one()
    session.close()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert "旧通知：请确认" in client.get("/inbox?state=unread").get_data(as_text=True)
    client.post(f"/inbox/{note_id}/read", data={"csrf_token": csrf_token(client, "/inbox")})
    assert "旧通知：请确认" not in client.get("/inbox?state=unread").get_data(as_text=True)
    assert "旧通知：请确认" in client.get("/inbox?state=read").get_data(as_text=True)
