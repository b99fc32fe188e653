"""Domain refusals are answered once, by the web layer (issue 13, item 5): a lifecycle step the
batch's state does not allow is a clear 409 (or the message flashed on the page the user came
from), and 409 ``refused`` in the API — on every route, never a 500."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from accounts.roles import Role
from bidding.keys import SealingError
from bidding.pricing import PricingError, Refusal, RefusalCode
from bidding.services import BidRefused
from core.clock import utcnow
from evaluation import services as evaluation
from imports.errors import WorkbookError
from procurement.models import BatchTransition
from procurement.rules import RuleError
from procurement.timeline import TimelineError
from tests.conftest import csrf_token, login
from tests.evaluation.fixtures import opened_batch
from web.errors import INVALID, REFUSALS


@pytest.fixture
def reviewed(session, db, world, ring) -> str:
    """A batch whose finished evaluation version 1 has been submitted for review: it is no
    longer in evaluation."""
    code = opened_batch(session, world, ring)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    run = evaluation.request_evaluation(session, officer, code, utcnow()).value
    session.close()
    evaluation.claim_and_run(db, run.id, officer)
    return code


def _submits(session, code: str) -> int:
    rows = session.exec(select(BatchTransition).where(BatchTransition.action == "submit_for_review")).all()
    session.commit()
    return len(rows)


def test_a_refused_review_submit_is_a_409_not_a_500(client, session, world, reviewed):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = csrf_token(client, "/")
    first = client.post(f"/batches/{reviewed}/review/submit", data={"csrf_token": token, "version": "1"})
    assert first.status_code == 302
    # the same submit again is a repeat (issue 13 item 13): a no-op that says so, not an error
    again = client.post(f"/batches/{reviewed}/review/submit", data={"csrf_token": token, "version": "1"})
    assert again.status_code == 302
    assert "已提交审核" in client.get(again.headers["Location"]).get_data(as_text=True)
    # a submit the rules refuse (no finished version 7): back to the page with the reason
    refused = client.post(f"/batches/{reviewed}/review/submit", data={"csrf_token": token, "version": "7"})
    assert refused.status_code == 302
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert 'class="flash error"' in shown and "只能提交已完成的评审版本" in shown
    assert _submits(session, reviewed) == 1


def test_parallel_submits_record_once_without_a_server_error(app, session, world, reviewed):
    clients = []
    for _n in range(12):
        c = app.test_client()
        login(c, world.username("A", Role.PRICE_OFFICER))
        clients.append((c, csrf_token(c, "/")))
    barrier, statuses = threading.Barrier(12), []

    def submit(c, token):
        barrier.wait()
        statuses.append(c.post(f"/batches/{reviewed}/review/submit",
                               data={"csrf_token": token, "version": "1"}).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 12  # one submit, eleven repeats answered as such
    assert _submits(session, reviewed) == 1


MESSAGE = "批次状态不允许 / not allowed in this state"


def _instance(cls) -> Exception:
    """An instance of a domain error class carrying :data:`MESSAGE`, whatever its constructor."""
    zh, en = MESSAGE.split(" / ")
    if issubclass(cls, PricingError):
        return cls(Refusal(RefusalCode.INVALID_NUMBER, zh, en))
    if issubclass(cls, BidRefused):
        return cls([Refusal(RefusalCode.WINDOW_CLOSED, zh, en)])
    if issubclass(cls, SealingError):
        return cls(en, zh)
    if issubclass(cls, TimelineError):
        return cls({"opening_at": MESSAGE})
    if issubclass(cls, (WorkbookError, RuleError)):
        return cls(zh, en) if issubclass(cls, WorkbookError) else cls("field", MESSAGE)
    return cls(MESSAGE)


@pytest.fixture
def raising_app(app):
    """The app with one page route and one API route per domain error class, each raising it."""
    classes = list(REFUSALS) + list(INVALID)

    def make(cls):
        def view(n: int):
            raise _instance(cls)
        return view

    for n, cls in enumerate(classes):
        app.add_url_rule(f"/_refuse/{n}/<int:n>", f"refuse_{n}", make(cls))
        app.add_url_rule(f"/api/v1/_refuse/{n}/<int:n>", f"api_refuse_{n}", make(cls))
    return app, classes


def test_every_domain_error_class_is_answered_by_the_web_layer(raising_app):
    app, classes = raising_app
    client = app.test_client()
    zh, en = MESSAGE.split(" / ")
    for n, cls in enumerate(classes):
        status = 409 if cls in REFUSALS else 400
        page = client.get(f"/_refuse/{n}/1")
        text = page.get_data(as_text=True)
        assert page.status_code == status and zh in text and en not in text, cls  # the reader's language only
        body = client.get(f"/api/v1/_refuse/{n}/1")
        assert body.status_code == (409 if cls in REFUSALS else 422), cls
        assert set(body.get_json()["error"]) == {"code", "message", "fields"}, cls
        assert zh in body.get_json()["error"]["message"] and en in body.get_json()["error"]["message"], cls
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    for n, cls in enumerate(classes):
        text = client.get(f"/_refuse/{n}/1").get_data(as_text=True)
        assert en in text and zh not in text, cls
