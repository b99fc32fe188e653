"""The direct-settlement pages through the real forms: the price officer sets a scope (a refusal
shown in Chinese, nothing written), the settlement officer finds the container in the console,
runs the month from its page and lands on the run."""

from __future__ import annotations

from sqlmodel import select

from core.clock import moved_to
from directpay.models import DirectScope
from settlement.models import SettlementRun
from tests.conftest import aware, csrf_token, login
from tests.directpay.conftest import scope_of
from tests.selfpay.conftest import accept_all


def _as(client, world, role, side="A"):
    if "logout" in client.get("/").get_data(as_text=True):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, world.username(side, role)).status_code == 302


def test_setting_the_scope_and_running_the_month_through_the_pages(client, session, world, shop):
    session.commit()
    with moved_to(aware(2026, 11, 20, 2)):
        _as(client, world, "price_officer")
        page = client.get("/directpay").get_data(as_text=True)
        assert "直接结算范围" in page and "directpay-region-370100" in page and "国家和省级集采中选产品" in page
        token = csrf_token(client, "/directpay")
        refused = client.post("/directpay/scope", data={"csrf_token": token, "region_code": "370000", "phase": "all",
                                                         "effective_from": "2026-11-20", "reason": "通知"},
                              follow_redirects=True).get_data(as_text=True)
        assert "次日" in refused or "追溯" in refused
        client.post("/directpay/scope", data={"csrf_token": token, "region_code": "370000", "phase": "all",
                                              "effective_from": "2026-12-01", "distributor_bps": "0",
                                              "reason": "全部挂网产品直接结算"})
    session.expire_all()
    assert [v.phase for v in session.exec(select(DirectScope)).all()] == ["all"]  # the refused one wrote nothing
    session.commit()


def test_the_settlement_officer_runs_the_month_from_the_console(client, session, world, shop):
    scope_of(session, world, "all", "2026-12-01")
    amount = accept_all(session, shop, aware(2026, 12, 2, 2)).plain.amount_fen
    session.commit()
    with moved_to(aware(2027, 1, 5, 2)):
        _as(client, world, "settlement_officer")
        console = client.get("/settlement/officer/").get_data(as_text=True)
        assert "DS-370000" in console and "挂网产品直接结算" in console
        assert client.get("/settlement/officer/batches/DS-370000").headers["Location"].endswith("/directpay/runs")
        token = csrf_token(client, "/directpay/runs")
        answer = client.post("/settlement/officer/batches/DS-370000/run", data={"csrf_token": token,
                                                                               "month": "2026-12"})
        assert "/settlement/officer/runs/" in answer.headers["Location"]
        session.expire_all()
        (run,) = session.exec(select(SettlementRun)).all()
        ref = run.run_ref
        assert run.paid_fen == amount == 40004
        session.commit()  # (an attribute read after it would begin a write transaction and lock SQLite)
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert ref in page and "¥400.04" in page
        assert ref in client.get("/directpay/runs").get_data(as_text=True)
        # the supplier's payments page lists it as any run's (tests/directpay/test_run.py, the payments read model)
