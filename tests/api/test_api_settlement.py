"""The settlement endpoints of the JSON API end to end, with real tokens and the real database:
a supplier's ERP records deliveries (all or nothing), a hospital's HIS accepts partly, returns,
reconciles; after a settlement run the hospital reads its statement and the supplier follows
its payment through the bank's answers. Other organisations see nothing; wrong roles get 403."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import schemathesis
from sqlalchemy import func
from sqlmodel import select

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from core.money import line_amount_fen
from settlement import services
from settlement.models import (
    Acceptance,
    Delivery,
    DeliveryReturn,
    PaymentInstruction,
    SettlementRun,
)
from tests.api.test_api import SETTLEMENT_PATHS, fuzz
from tests.settlement.fixtures_db import officer_b, setup  # noqa: F401

ROLES = {"supplier": ("A", Role.SUPPLIER_REP), "hospital": ("A", Role.HOSPITAL_BUYER),
         "supplier_b": ("B", Role.SUPPLIER_REP), "hospital_b": ("B", Role.HOSPITAL_BUYER),
         "officer": ("A", Role.SETTLEMENT_OFFICER), "price": ("A", Role.PRICE_OFFICER)}


@pytest.fixture
def tokens(session, world) -> dict[str, dict]:
    """Authorization headers per organisation and role, from tokens made by the real service."""
    out = {}
    for name, key in ROLES.items():
        plain, _row = api.create_token(session, world.actors[key], name, utcnow())
        out[name] = {"Authorization": f"Bearer {plain}"}
    return out


def _count(session, model) -> int:
    """Rows of a table, ending the test session's read so request writers are not blocked."""
    n = session.exec(select(func.count()).select_from(model)).one()
    session.commit()
    return n


def _line(code: str, quantity, shipped_on="2026-10-03", **extra) -> dict:
    return {"contract": code, "quantity": quantity, "shipped_on": shipped_on, **extra}


def _deliver(client, tokens, lines) -> list[dict]:
    """Record lines as supplier A; its deliveries, newest first."""
    response = client.post("/api/v1/deliveries", headers=tokens["supplier"], json={"lines": lines})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"recorded": len(lines)}
    return client.get("/api/v1/deliveries", headers=tokens["supplier"]).get_json()


def test_malformed_lines_are_named_by_index_and_field_and_nothing_is_written(client, session, setup, tokens):  # noqa: F811
    code = setup.contracts["YP001"].code
    bad = client.post("/api/v1/deliveries", headers=tokens["supplier"], json={"lines": [
        _line(code, 12.5), _line(code, 5, "2026-02-30"), _line(code, "5"), "x", _line(code, 5, extra=1),
        _line(code, True), _line("", 5), _line(code, 5, supplier_ref="x" * 61), _line(code, 5), _line(code, 0)]})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_lines" and "nothing was recorded" in error["message"]
    assert set(error["fields"]) == {"lines[0].quantity", "lines[1].shipped_on", "lines[2].quantity", "lines[3]",
                                    "lines[4]", "lines[5].quantity", "lines[6].contract", "lines[7].supplier_ref",
                                    "lines[9].quantity"}
    assert "须为整数" in error["fields"]["lines[0].quantity"] and " / " in error["fields"]["lines[0].quantity"]
    nul = client.post("/api/v1/deliveries", headers=tokens["supplier"], json={"lines": [
        _line(code, 5), _line(code, 5, supplier_ref="a\x00b")]})  # the input guard, before the body is read
    assert nul.status_code == 422 and list(nul.get_json()["error"]["fields"]) == ["lines[1].supplier_ref"]
    for body in (None, {}, {"lines": []}, {"lines": {}}, [_line(code, 5)]):
        empty = client.post("/api/v1/deliveries", headers=tokens["supplier"], json=body)
        assert empty.status_code == 422 and "lines" in empty.get_json()["error"]["fields"], body
    assert _count(session, Delivery) == 0


def test_deliveries_refused_by_the_rules_write_nothing(client, session, setup, tokens):  # noqa: F811
    yp001, yp003 = setup.contracts["YP001"].code, setup.contracts["YP003"].code
    future = (utcnow().date() + timedelta(days=2)).isoformat()
    rejected = client.post("/api/v1/deliveries", headers=tokens["supplier"], json={"lines": [
        _line(yp001, 100), _line(setup.foreign_contract.code, 5), _line("HT-NOPE", 5), _line(yp003, 5, "2026-09-30"),
        _line(yp003, 5, future)]})
    assert rejected.status_code == 422
    error = rejected.get_json()["error"]
    assert error["code"] == "rejected" and error["message"].startswith("4 行被拒绝")
    assert set(error["fields"]) == {"lines[1].contract", "lines[2].contract", "lines[3].shipped_on",
                                    "lines[4].shipped_on"}  # the good first line is not named
    assert "contract period" in error["fields"]["lines[3].shipped_on"]
    assert "future" in error["fields"]["lines[4].shipped_on"]
    assert _count(session, Delivery) == 0  # all or nothing
    rows = _deliver(client, tokens, [_line(yp001, 100, supplier_ref="WB-1"), _line(yp003, 333, "2026-10-05")])
    assert [(r["contract"], r["item"], r["unit_price"], r["quantity"], r["accepted"], r["open_quantity"])
            for r in rows] == [(yp003, "YP003", "0.0567", 333, 0, 333), (yp001, "YP001", "0.1234", 100, 0, 100)]
    assert rows[1]["supplier_ref"] == "WB-1" and rows[1]["shipped_on"] == "2026-10-03"
    assert {r["source"] for r in rows} == {"api"} and {r["hospital"] for r in rows} == {"A-hospital"}
    assert {r["batch"] for r in rows} == {setup.code} and rows[0]["acceptances"] == []


def test_delivery_list_filters_and_scoping(client, setup, tokens):  # noqa: F811
    yp001 = setup.contracts["YP001"].code
    rows = _deliver(client, tokens, [_line(yp001, 10), _line(yp001, 20), _line(yp001, 30)])
    get = lambda who, query="": client.get(f"/api/v1/deliveries{query}", headers=tokens[who])  # noqa: E731
    assert [r["id"] for r in get("hospital").get_json()] == [r["id"] for r in rows]  # addressed to it
    assert get("supplier_b").get_json() == [] and get("hospital_b").get_json() == []  # nothing of others
    assert [r["quantity"] for r in get("supplier", "?limit=2").get_json()] == [30, 20]
    assert [r["quantity"] for r in get("supplier", f"?limit=2&before={rows[1]['id']}").get_json()] == [10]
    assert len(get("supplier", f"?batch={setup.code}&open=true").get_json()) == 3
    assert get("supplier", "?batch=NOPE").status_code == 404 and get("supplier", "?batch=%00").status_code == 422
    assert get("supplier_b", f"?batch={setup.code}").get_json() == []
    for query, field in (("?limit=0", "limit"), ("?limit=1001", "limit"), ("?open=maybe", "open"),
                         ("?before=-1", "before"), ("?limit=" + "9" * 5000, "limit")):
        bad = get("supplier", query)
        assert bad.status_code == 422 and field in bad.get_json()["error"]["fields"], query
    for who in ("officer", "price"):
        assert get(who).status_code == 403


def test_hospital_accepts_partly_and_returns(client, session, setup, tokens):  # noqa: F811
    (row,) = _deliver(client, tokens, [_line(setup.contracts["YP001"].code, 100)])
    url = f"/api/v1/deliveries/{row['id']}/acceptance"
    accepted = client.post(url, headers=tokens["hospital"], json={"quantity": 60, "accepted_on": "2026-10-05"})
    assert accepted.status_code == 201
    line = accepted.get_json()
    assert line | {"id": 0} == {"id": 0, "delivery": row["id"], "quantity": 60, "returned": 0,
                                "accepted_on": "2026-10-05", "applied_month": None, "reconcile_status": "pending",
                                "settled": False}
    over = client.post(url, headers=tokens["hospital"], json={"quantity": 41, "accepted_on": "2026-10-06"})
    assert over.status_code == 422 and "40" in over.get_json()["error"]["fields"]["quantity"]
    early = client.post(url, headers=tokens["hospital"], json={"quantity": 1, "accepted_on": "2026-10-01"})
    assert early.status_code == 422 and set(early.get_json()["error"]["fields"]) == {"accepted_on"}
    for body, field in (({"quantity": 1.0, "accepted_on": "2026-10-06"}, "quantity"),
                        ({"quantity": 1, "accepted_on": "06/10/2026"}, "accepted_on"),
                        ({"quantity": 1, "accepted_on": "2026-10-06", "price": "1"}, "price"), ([1], "body")):
        bad = client.post(url, headers=tokens["hospital"], json=body)
        assert bad.status_code == 422 and field in bad.get_json()["error"]["fields"], body
    assert client.post(url, headers=tokens["supplier"], json={"quantity": 1, "accepted_on": "2026-10-06"}).status_code == 403
    for who, target in (("hospital_b", url), ("hospital", "/api/v1/deliveries/999999/acceptance"),
                        ("hospital", f"/api/v1/deliveries/{2**40}/acceptance")):
        foreign = client.post(target, headers=tokens[who], json={"quantity": 1, "accepted_on": "2026-10-06"})
        assert foreign.status_code == 404 and foreign.get_json()["error"]["code"] == "not_found", (who, target)
    assert _count(session, Acceptance) == 1
    rest = client.post(url, headers=tokens["hospital"], json={"quantity": 40, "accepted_on": "2026-10-06"})
    assert rest.status_code == 201
    returns = f"/api/v1/acceptances/{line['id']}/returns"
    sent_back = client.post(returns, headers=tokens["hospital"],
                            json={"quantity": 10, "returned_on": "2026-10-07", "reason": "破损 damaged"})
    assert sent_back.status_code == 201
    assert sent_back.get_json() | {"id": 0} == {"id": 0, "acceptance": line["id"], "quantity": 10,
                                                "returned_on": "2026-10-07", "reason": "破损 damaged",
                                                "clawback": "0.00"}
    too_many = client.post(returns, headers=tokens["hospital"],
                           json={"quantity": 51, "returned_on": "2026-10-07", "reason": "x"})
    assert too_many.status_code == 422 and "quantity" in too_many.get_json()["error"]["fields"]
    no_reason = client.post(returns, headers=tokens["hospital"], json={"quantity": 1, "returned_on": "2026-10-07",
                                                                       "reason": "  "})
    assert no_reason.status_code == 422 and set(no_reason.get_json()["error"]["fields"]) == {"reason"}
    assert client.post(returns, headers=tokens["hospital_b"], json={"quantity": 1, "returned_on": "2026-10-07",
                                                                    "reason": "x"}).status_code == 404
    assert client.post(returns, headers=tokens["supplier"], json={"quantity": 1, "returned_on": "2026-10-07",
                                                                  "reason": "x"}).status_code == 403
    assert _count(session, DeliveryReturn) == 1
    (listed,) = client.get("/api/v1/deliveries?open=false", headers=tokens["hospital"]).get_json()
    assert (listed["accepted"], listed["open_quantity"]) == (100, 0)
    assert [(a["quantity"], a["returned"]) for a in listed["acceptances"]] == [(60, 10), (40, 0)]
    assert client.get("/api/v1/deliveries?open=true", headers=tokens["hospital"]).get_json() == []


def _accept_all(client, tokens, rows, on="2026-10-08") -> list[int]:
    """Hospital A accepts every delivery in full; the acceptance ids."""
    ids = []
    for r in rows:
        response = client.post(f"/api/v1/deliveries/{r['id']}/acceptance", headers=tokens["hospital"],
                               json={"quantity": r["quantity"], "accepted_on": on})
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def _bank_return(session, world, run_id: int, status: str) -> None:
    """The bank answers every instruction of the run with ``status`` (成功 / 失败)."""
    refs = session.exec(select(PaymentInstruction.reference).where(PaymentInstruction.run_id == run_id)).all()
    body = "指令编号,状态,失败原因,银行流水号\n" + "".join(
        f"{r},{status},{'账户已销户' if status == '失败' else ''},{'' if status == '失败' else 'BK' + r[-6:]}\n" for r in refs)
    services.import_bank_return(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], run_id, body.encode(),
                                "return.csv", utcnow())


def test_apply_reconcile_run_then_statements_and_payments(client, session, world, setup, officer_b, tokens):  # noqa: F811
    services.grant_prepayment(session, None, setup.code, "A-hospital", utcnow())  # ¥4,552.50 advanced
    rows = _deliver(client, tokens, [_line(setup.contracts["YP001"].code, 1000),
                                     _line(setup.contracts["YP003"].code, 333)])
    ids = _accept_all(client, tokens, rows)
    apply = f"/api/v1/batches/{setup.code}/settlement-applications"
    not_yet = client.post(apply, headers=tokens["supplier"], json={"month": "2099-01"})
    assert not_yet.status_code == 422 and "finished month" in not_yet.get_json()["error"]["fields"]["month"]
    assert client.post(apply, headers=tokens["supplier"], json={"month": "2026-13"}).status_code == 422
    assert client.post(apply, headers=tokens["hospital"], json={"month": "2026-10"}).status_code == 403
    assert client.post("/api/v1/batches/NOPE/settlement-applications", headers=tokens["supplier"],
                       json={"month": "2026-10"}).status_code == 404
    applied = client.post(apply, headers=tokens["supplier"], json={"month": "2026-10"})
    assert applied.status_code == 201 and applied.get_json() == {"batch": setup.code, "month": "2026-10", "lines": 2}
    again = client.post(apply, headers=tokens["supplier"], json={"month": "2026-10"})
    assert again.status_code == 409 and again.get_json()["error"]["fields"] == {}
    rec = "/api/v1/reconciliations"
    no_reason = client.post(rec, headers=tokens["hospital"], json={"lines": ids, "confirm": False})
    assert no_reason.status_code == 422 and set(no_reason.get_json()["error"]["fields"]) == {"reason"}
    for body, field in (({"lines": [], "confirm": True}, "lines"), ({"lines": ["1"], "confirm": True}, "lines[0]"),
                        ({"lines": ids, "confirm": "yes"}, "confirm")):
        bad = client.post(rec, headers=tokens["hospital"], json=body)
        assert bad.status_code == 422 and field in bad.get_json()["error"]["fields"], body
    assert client.post(rec, headers=tokens["hospital_b"], json={"lines": ids, "confirm": True}).status_code == 404
    assert client.post(rec, headers=tokens["supplier"], json={"lines": ids, "confirm": True}).status_code == 403
    done = client.post(rec, headers=tokens["hospital"], json={"lines": ids, "confirm": True})
    assert done.status_code == 200 and done.get_json() == {"lines": 2, "status": "confirmed"}

    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run = services.run_settlement(session, officer, setup.code, "2026-10", utcnow()).run
    gross = line_amount_fen(1000, 1234) + line_amount_fen(333, 567)  # ¥123.40 + ¥18.88
    assert run.gross_fen == gross == 14228 and run.offset_fen == 4268  # 30% of the gross, half up
    services.approve_run(session, officer_b, run.id, utcnow())
    services.release_files(session, officer, run.id, utcnow())
    session.commit()
    (statement,) = client.get("/api/v1/statements", headers=tokens["hospital"]).get_json()
    assert statement == {"run": run.run_ref, "batch": setup.code, "month": "2026-10", "hospital": "A-hospital",
                         "gross": "142.28", "offset": "42.68", "net_deducted": "99.60", "advance_before": "4552.50",
                         "advance_after": "4509.82", "clawback": "0.00", "lines": 2, "released": True}
    (payment,) = client.get("/api/v1/payments", headers=tokens["supplier"]).get_json()
    assert payment | {"status_at": None} == {
        "reference": payment["reference"], "run": run.run_ref, "batch": setup.code, "month": "2026-10",
        "amount": "99.60", "status": "issued", "status_at": None, "lines": 2, "failure_reason": "",
        "reissue_of": None, "released": True, "bank_ref": ""}
    (line,) = [a for r in client.get("/api/v1/deliveries", headers=tokens["hospital"]).get_json()
               for a in r["acceptances"] if a["id"] == ids[0]]
    assert line["settled"] and line["applied_month"] == "2026-10" and line["reconcile_status"] == "confirmed"
    settled = client.post(f"/api/v1/acceptances/{ids[0]}/returns", headers=tokens["hospital"],
                          json={"quantity": 1, "returned_on": "2026-10-09", "reason": "x"})
    assert settled.status_code == 201 and settled.get_json()["clawback"] != "0.00"  # taken back by the next run

    _bank_return(session, world, run.id, "失败")  # the bank refuses; two officers re-issue it
    (failed,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    request = services.request_reissue(session, officer, failed.id, "", utcnow()).value
    reissued = services.approve_reissue(session, officer_b, request.id, utcnow()).value
    rerun = session.get(SettlementRun, reissued.run_id)
    assert rerun.reissued_fen == 9960 and rerun.status == "approved"
    services.release_files(session, officer, rerun.id, utcnow())
    _bank_return(session, world, rerun.id, "成功")
    session.commit()
    new, old = client.get("/api/v1/payments", headers=tokens["supplier"]).get_json()
    assert (old["status"], old["failure_reason"], new["status"], new["reissue_of"], new["amount"]) == (
        "reissued", "账户已销户", "paid", old["reference"], "99.60")
    assert (old["bank_ref"], new["bank_ref"]) == ("", "BK" + new["reference"][-6:])  # the bank's own reference
    assert date.fromisoformat(new["status_at"][:10]) == utcnow().date()
    assert client.get("/api/v1/payments", headers=tokens["supplier_b"]).get_json() == []
    assert client.get("/api/v1/statements", headers=tokens["hospital_b"]).get_json() == []
    assert len(client.get("/api/v1/statements", headers=tokens["hospital"]).get_json()) == 1  # the re-issue deducts nothing new
    # the clawback no later run nets is asked back: both parties see the refund, province B nothing
    services.request_refunds(session, officer, setup.code, utcnow())
    session.commit()
    for who in ("supplier", "hospital"):
        (refund,) = client.get("/api/v1/refunds", headers=tokens[who]).get_json()
        assert refund | {"requested_at": None} == {
            "reference": refund["reference"], "batch": setup.code, "hospital": "A-hospital", "supplier": "A-supplier",
            "amount": settled.get_json()["clawback"], "returns": 1, "differences": 0, "status": "requested", "requested_at": None,
            "received_on": None, "bank_ref": None}
    assert client.get("/api/v1/refunds", headers=tokens["supplier_b"]).get_json() == []


@pytest.mark.parametrize(("method", "path", "body", "allowed"), [
    ("GET", "/api/v1/deliveries", None, {"supplier", "hospital"}),
    ("POST", "/api/v1/deliveries", {"lines": []}, {"supplier"}),
    ("POST", "/api/v1/deliveries/1/acceptance", {}, {"hospital"}),
    ("POST", "/api/v1/acceptances/1/returns", {}, {"hospital"}),
    ("POST", "/api/v1/batches/X/settlement-applications", {}, {"supplier"}),
    ("POST", "/api/v1/reconciliations", {}, {"hospital"}),
    ("GET", "/api/v1/statements", None, {"hospital"}),
    ("GET", "/api/v1/payments", None, {"supplier"}),
    ("GET", "/api/v1/refunds", None, {"supplier", "hospital"})])
def test_wrong_roles_get_403_in_the_one_error_shape(client, world, tokens, method, path, body, allowed):
    for who in ("supplier", "hospital", "officer", "price"):
        response = client.open(path, method=method, headers=tokens[who], json=body)
        if who in allowed:
            assert response.status_code != 403, (who, path)
        else:
            assert response.status_code == 403, (who, path)
            assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert client.open(path, method=method, json=body).status_code == 401


def test_a_batch_code_no_batch_can_have_is_a_404_not_a_database_error(client, tokens):
    for who, method, path in (("supplier", "GET", "/api/v1/batches/A%00B/contracts"),
                              ("supplier", "GET", "/api/v1/batches/A%00B/bids"),
                              ("hospital", "POST", "/api/v1/batches/A%00B/demand"),
                              ("supplier", "POST", "/api/v1/batches/A%00B/settlement-applications")):
        body = {"month": "2026-10"} if "settlement" in path else {"lines": [{"item": "X", "last_year_use": 1,
                                                                               "committed": 1}]}
        response = client.open(path, method=method, headers=tokens[who], json=body if method == "POST" else None)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", path
    # in a query string it is a value the client sent: 422 naming it (the input guard)
    response = client.get("/api/v1/deliveries?batch=A%00B", headers=tokens["hospital"])
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["batch"]


def test_settlement_endpoints_never_answer_with_a_server_error(app, client, session, setup, tokens):  # noqa: F811
    """Schemathesis against the settlement operations as supplier A and as hospital A, with a
    delivery, an acceptance and an applied line in the database so small ids hit real rows."""
    rows = _deliver(client, tokens, [_line(setup.contracts["YP001"].code, 50)])
    _accept_all(client, tokens, rows)
    assert client.post(f"/api/v1/batches/{setup.code}/settlement-applications", headers=tokens["supplier"],
                       json={"month": "2026-10"}).status_code == 201
    session.close()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path in SETTLEMENT_PATHS]
    assert {op.path for op in operations} == SETTLEMENT_PATHS
    for operation in operations:
        for who in ("supplier", "hospital"):
            fuzz(operation, tokens[who], max_examples=15)
