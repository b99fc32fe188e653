"""Reconciliation line by line (issue #14 item 1): the hospital decides each applied line on its
own — confirm, or dispute with a reason —, nothing is pre-selected, every line shows its
amount, a confirmation step repeats what will happen, and only the lines named change: a
disputed line is never confirmed by a later "confirm the rest"."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from accounts.roles import Role
from core.money import format_yuan, line_amount_fen
from settlement import services
from settlement.execution.reconciliation import LineDecision
from settlement.models import Acceptance
from tests.conftest import csrf_token, login
from tests.settlement.fixtures_db import NOW, setup  # noqa: F401

D = services.DeliveryInput
#: five lines as (item, quantity): YP001 at ¥0.1234, YP003 at ¥0.0567
FIVE = [("YP001", 100), ("YP001", 200), ("YP001", 300), ("YP001", 400), ("YP003", 1000)]


def five_applied_lines(session, world, setup) -> list[Acceptance]:  # noqa: F811
    """Five accepted lines of October, applied for by the supplier."""
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    out = []
    for n, (item, qty) in enumerate(FIVE, start=1):
        d = services.record_delivery(session, supplier, D(setup.contracts[item].code, qty, date(2026, 10, n)), NOW)
        out.append(services.accept_delivery(session, hospital, d.id, qty, date(2026, 10, n), NOW))
    assert services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW) == 5
    return out


def amount(setup, item: str, qty: int) -> int:  # noqa: F811
    """A line's payable in fen."""
    return line_amount_fen(qty, setup.contracts[item].ucp_e4)


def statuses(session) -> dict[int, tuple[str, str]]:
    """Every line's (status, reason), ending the test session's transaction."""
    session.expire_all()
    out = {a.id: (a.reconcile_status, a.dispute_reason) for a in session.exec(select(Acceptance)).all()}
    session.commit()
    return out


def test_the_service_changes_only_the_lines_named_each_by_its_own_decision(session, world, setup):  # noqa: F811
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    lines = five_applied_lines(session, world, setup)
    ids = [a.id for a in lines]
    decisions = [LineDecision(ids[0], True), LineDecision(ids[1], False, "数量不符"), LineDecision(ids[2], True)]
    plan = services.plan_reconciliation(session, hospital, decisions)
    assert [x.acceptance_id for x in plan.confirmed] == [ids[0], ids[2]]
    assert plan.confirmed_fen == amount(setup, "YP001", 100) + amount(setup, "YP001", 300)
    assert plan.disputed_fen == amount(setup, "YP001", 200)
    assert statuses(session)[ids[0]] == ("pending", "")  # planning writes nothing
    outcome = services.reconcile_lines(session, hospital, decisions, NOW)
    assert not outcome.repeated and outcome.value.disputed_fen == plan.disputed_fen
    assert statuses(session) == {ids[0]: ("confirmed", ""), ids[1]: ("disputed", "数量不符"),
                                 ids[2]: ("confirmed", ""), ids[3]: ("pending", ""), ids[4]: ("pending", "")}
    # "confirm the rest": the lines still pending, by name — the disputed line stays disputed
    services.reconcile_lines(session, hospital, [LineDecision(ids[3], True), LineDecision(ids[4], True)], NOW)
    assert statuses(session)[ids[1]] == ("disputed", "数量不符")
    assert services.reconcile_lines(session, hospital, [LineDecision(ids[3], True)], NOW).repeated


def test_a_dispute_needs_its_own_reason_and_a_line_is_decided_once_per_call(session, world, setup):  # noqa: F811
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    ids = [a.id for a in five_applied_lines(session, world, setup)]
    with pytest.raises(services.SettlementRefused, match=str(ids[1])):
        services.plan_reconciliation(session, hospital, [LineDecision(ids[0], False, "破损"),
                                                         LineDecision(ids[1], False, "  ")])
    with pytest.raises(services.SettlementRefused, match=str(ids[0])):
        services.plan_reconciliation(session, hospital, [LineDecision(ids[0], True), LineDecision(ids[0], False, "x")])
    with pytest.raises(services.SettlementRefused):
        services.plan_reconciliation(session, hospital, [])
    assert set(statuses(session).values()) == {("pending", "")}


def _decisions_form(token: str, decided: dict[int, tuple[str, str]], step: str | None = None) -> dict:
    """The reconciliation form as the browser posts it: one radio and one reason per line."""
    data = {"csrf_token": token}
    for pk, (decision, reason) in decided.items():
        data[f"decision-{pk}"] = decision
        data[f"reason-{pk}"] = reason
    if step:
        data["step"] = step
    return data


def test_the_page_pre_selects_nothing_shows_amounts_and_confirms_before_recording(client, session, world,
                                                                                  setup):  # noqa: F811
    ids = [a.id for a in five_applied_lines(session, world, setup)]
    session.commit()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    page = client.get("/settlement/").get_data(as_text=True)
    form = page[page.index('data-testid="reconcile-form"'):page.index("</form>", page.index('data-testid="reconcile-form"'))]
    assert " checked" not in form  # nothing pre-selected
    for pk, (item, qty) in zip(ids, FIVE, strict=True):
        assert re.search(rf'data-testid="line-amount-{pk}"[^>]*>{re.escape(format_yuan(amount(setup, item, qty)))}<',
                         form)
    total = sum(amount(setup, i, q) for i, q in FIVE)
    assert f'data-testid="reconcile-total">{format_yuan(total)}<' in form
    token = csrf_token(client, "/settlement/")
    # the bug: one line disputed, the others confirmed — not all five disputed
    decided = {ids[0]: ("confirm", ""), ids[1]: ("dispute", "数量不符"), ids[2]: ("confirm", ""),
               ids[3]: ("confirm", ""), ids[4]: ("", "")}
    preview = client.post("/settlement/reconcile", data=_decisions_form(token, decided))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    confirmed = amount(setup, "YP001", 100) + amount(setup, "YP001", 300) + amount(setup, "YP001", 400)
    assert f"将确认 3 条明细 {format_yuan(confirmed)}" in text
    assert f"对 1 条明细提出异议 {format_yuan(amount(setup, 'YP001', 200))}" in text and "数量不符" in text
    assert set(statuses(session).values()) == {("pending", "")}  # the preview records nothing
    done = client.post("/settlement/reconcile", data=_decisions_form(token, decided, "record"), follow_redirects=True)
    assert "已确认 3 条明细" in done.get_data(as_text=True)
    assert statuses(session) == {ids[0]: ("confirmed", ""), ids[1]: ("disputed", "数量不符"),
                                 ids[2]: ("confirmed", ""), ids[3]: ("confirmed", ""), ids[4]: ("pending", "")}
    # the disputed line comes back undecided: "confirm the rest" leaves it disputed
    page = client.get("/settlement/").get_data(as_text=True)
    form = page[page.index('data-testid="reconcile-form"'):]
    assert f'name="decision-{ids[1]}" value="confirm" checked' not in form and " checked" not in form.split("</form>")[0]
    client.post("/settlement/reconcile", data=_decisions_form(token, {ids[4]: ("confirm", "")}, "record"))
    assert statuses(session)[ids[1]] == ("disputed", "数量不符")
    assert statuses(session)[ids[4]] == ("confirmed", "")


def test_nothing_decided_or_a_dispute_without_reason_is_refused_and_nothing_written(client, session, world,
                                                                                    setup):  # noqa: F811
    ids = [a.id for a in five_applied_lines(session, world, setup)]
    session.commit()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/settlement/")
    r = client.post("/settlement/reconcile", data=_decisions_form(token, {ids[0]: ("", "")}, "record"),
                    follow_redirects=True)
    assert "请至少对一条明细作出决定" in r.get_data(as_text=True)
    r = client.post("/settlement/reconcile", data=_decisions_form(token, {ids[0]: ("dispute", "")}, "record"),
                    follow_redirects=True)
    assert f"明细 {ids[0]}" in r.get_data(as_text=True)
    bad = client.post("/settlement/reconcile", data=_decisions_form(token, {ids[0]: ("maybe", "")}, "record"))
    assert bad.status_code == 400
    for key in ("decision-99999999999999999999", "decision-abc", "decision-²"):
        assert client.post("/settlement/reconcile", data={"csrf_token": token, "step": "record",
                                                          key: "confirm"}).status_code == 400, key
    foreign = client.post("/settlement/reconcile", data={"csrf_token": token, "step": "record", "decision-999999": "confirm"})
    assert foreign.status_code == 404
    assert set(statuses(session).values()) == {("pending", "")}
