"""A draft batch's name and timeline: saved from the edit form, refused field by field when
contradictory or past (create and edit alike), entered values kept on every error."""

import re

from sqlmodel import select

from accounts.roles import Role
from procurement.models import Batch, Item
from tests.conftest import csrf_token, login

GOOD = {"name": "网页批次", "demand_deadline": "2099-01-10T17:00", "bid_deadline": "2099-02-10T17:00",
        "opening_at": "2099-02-11T09:30", "cycle_start": "2099-04-01", "cycle_end": "2100-03-31"}


def _create(client, code="ED1"):
    token = csrf_token(client, "/batches/new")
    r = client.post("/batches/new", data={"csrf_token": token, "code": code, "kind": "drug", **GOOD})
    assert r.status_code == 302, r.get_data(as_text=True)
    return token


def _errors(page: str) -> dict[str, str]:
    """Field id → its error text, as the form marks them."""
    return dict(re.findall(r'data-error-for="([a-z_-]+)"[^>]*>([^<]+)<', page))


def test_the_edit_form_saves_a_drafts_name_and_timeline(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = _create(client)
    r = client.post("/batches/ED1/edit", data={"csrf_token": token, **GOOD, "name": "改过的名字",
                                                "bid_deadline": "2099-02-12T17:00", "opening_at": "2099-02-13T09:00"})
    assert r.status_code == 302
    page = client.get("/batches/ED1").get_data(as_text=True)
    assert "已保存" in page and "改过的名字" in page and 'value="2099-02-12T17:00"' in page
    batch = session.exec(select(Batch).where(Batch.code == "ED1")).one()
    session.refresh(batch)
    assert batch.name == "改过的名字" and batch.bid_deadline.isoformat() == "2099-02-12T09:00:00+00:00"
    assert batch.opening_at.isoformat() == "2099-02-13T01:00:00+00:00"


def test_a_contradictory_timeline_is_refused_on_its_fields_and_the_values_stay(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = _create(client)
    bad = {**GOOD, "name": "新名字", "demand_deadline": "2099-03-01T17:00", "cycle_start": "2100-05-01"}
    r = client.post("/batches/ED1/edit", data={"csrf_token": token, **bad})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    errors = _errors(page)
    assert set(errors) == {"demand_deadline", "cycle_start"}, errors
    assert "报量截止时间须早于申报截止时间" in errors["demand_deadline"]
    assert "采购周期开始须早于结束" in errors["cycle_start"]
    assert 'value="新名字"' in page and 'value="2099-03-01T17:00"' in page and 'value="2100-05-01"' in page
    batch = session.exec(select(Batch).where(Batch.code == "ED1")).one()
    session.refresh(batch)
    assert batch.name == "网页批次" and batch.demand_deadline.isoformat() == "2099-01-10T09:00:00+00:00"


def test_creation_refuses_a_past_opening_and_an_empty_name_on_their_fields(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = csrf_token(client, "/batches/new")
    r = client.post("/batches/new", data={"csrf_token": token, "code": "ED2", "kind": "drug",
                                           **GOOD, "name": "", "demand_deadline": "2000-01-01T09:00",
                                           "bid_deadline": "2000-01-02T09:00", "opening_at": "2000-01-03T09:00"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    errors = _errors(page)
    assert set(errors) == {"name", "demand_deadline", "bid_deadline", "opening_at"}, errors
    assert "已过" in errors["opening_at"]
    assert 'value="ED2"' in page and 'value="2000-01-03T09:00"' in page
    assert session.exec(select(Batch).where(Batch.code == "ED2")).first() is None


def _open_demand(client, session, token, code="ED1"):
    session.add(Item(code="YP003", kind="drug", generic_name="苯磺酸氨氯地平片", minimal_unit="片"))
    session.commit()
    client.post(f"/batches/{code}/items", data={"csrf_token": token, "item_code": "YP003", "max_valid_price": "0.3"})
    client.post(f"/batches/{code}/regions", data={"csrf_token": token, "region_codes": "370100"})
    client.post(f"/batches/{code}/transition", data={"csrf_token": token, "action": "open_demand"})


def test_closing_demand_before_its_deadline_is_not_offered_and_the_page_says_when(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = _create(client)
    _open_demand(client, session, token)
    page = client.get("/batches/ED1").get_data(as_text=True)
    assert 'data-action="close_demand"' not in page
    waits = page.split('data-testid="waits-close_demand"')[1].split("</p>")[0]
    assert "2099-01-10 17:00" in waits and "后可结束报量" in waits
    assert 'data-action="cancel"' in page  # what may be done now is offered


def test_cancelling_asks_for_a_confirmation_and_does_nothing_without_it(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = _create(client)
    page = client.get("/batches/ED1").get_data(as_text=True)
    form = page.split('data-testid="step-cancel"')[1].split("</form>")[0]
    assert "不可撤销" in form and 'name="confirm"' in form and "required" in form
    r = client.post("/batches/ED1/transition", data={"csrf_token": token, "action": "cancel", "reason": "重复立项"},
                    follow_redirects=True)
    assert "请勾选确认" in r.get_data(as_text=True)
    batch = session.exec(select(Batch).where(Batch.code == "ED1")).one()
    session.refresh(batch)
    assert batch.status == "draft"
    session.rollback()  # end the read before the page writes
    client.post("/batches/ED1/transition", data={"csrf_token": token, "action": "cancel", "reason": "重复立项",
                                                 "confirm": "y"})
    session.refresh(batch)
    assert batch.status == "cancelled"


def test_rule_settings_read_in_chinese_with_units_also_for_suppliers(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = _create(client)
    _open_demand(client, session, token)
    client.post("/logout", data={"csrf_token": token})
    login(client, world.username("A", Role.SUPPLIER_REP))
    page = client.get("/batches/ED1").get_data(as_text=True)
    rules = page.split('data-testid="rules"')[1]
    shown = dict(re.findall(r'data-rule="([a-z_]+)">([^<]*)<', rules))
    assert shown["half_mean_k"] == "50 %" and shown["publicity_days"] == "3 天" and shown["backup"] == "否"
    assert shown["anchor"] == "最低有效申报价" and shown["tie_break"] == "先提交者优先"
    assert shown["max_winners"] == "N − 2（N 为有效申报企业数），最多 10 家"
    assert "≥ 4 家中选: 80 %" in shown["agreed_ratio"] and "价差倍数" in rules
    for raw in ("lowest", "false", '"minus"', "0.5<", "fuse_multiple<"):
        assert raw not in rules.replace('data-rule="', ""), raw


def test_a_refused_rule_setting_is_marked_on_its_field_in_chinese(client, session, world):
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = _create(client)
    page = client.get("/batches/ED1").get_data(as_text=True)
    assert 'name="rule.half_mean_k" value="50"' in page and 'name="rule.agreed_ratio.v.3" value="80"' in page
    r = client.post("/batches/ED1/rules", data={"csrf_token": token, "rule.publicity_days": "0",
                                                 "rule.half_mean_k": "60"})
    refused = r.get_data(as_text=True)
    assert r.status_code == 422 and _errors(refused) == {"rule-publicity_days": "不能小于 1 天。"}
    assert 'name="rule.publicity_days" value="0"' in refused and 'name="rule.half_mean_k" value="60"' in refused
    client.post("/batches/ED1/rules", data={"csrf_token": token, "rule.half_mean_k": "60",
                                            "rule.backup.shown": "1", "rule.backup": "y"})
    batch = session.exec(select(Batch).where(Batch.code == "ED1")).one()
    session.refresh(batch)
    assert '"half_mean_k": "0.6"' in batch.rules_json and '"backup": true' in batch.rules_json
