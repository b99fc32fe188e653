"""An officer sets up a batch entirely through the web pages, and an admin manages accounts."""

from sqlmodel import select

from accounts.models import User
from accounts.roles import Role
from procurement.models import Batch, Item
from tests.conftest import csrf_token, login


def test_officer_builds_and_opens_a_batch_through_the_pages(client, session, world):
    session.add(Item(code="YP003", kind="drug", generic_name="苯磺酸氨氯地平片", minimal_unit="片"))
    session.commit()
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = csrf_token(client, "/batches/new")
    created = client.post("/batches/new", data={
        "csrf_token": token, "code": "WEB1", "name": "网页批次", "kind": "drug",
        "demand_deadline": "2099-01-10T17:00", "bid_deadline": "2099-02-10T17:00",
        "opening_at": "2099-02-11T09:30", "cycle_start": "2099-04-01", "cycle_end": "2100-03-31"})
    assert created.status_code == 302
    page = client.get("/batches/WEB1").get_data(as_text=True)
    assert "草稿" in page and "最高有效申报价" in page and "价差倍数" in page
    token = csrf_token(client, "/batches/WEB1")
    client.post("/batches/WEB1/items", data={"csrf_token": token, "item_code": "YP003",
                                             "max_valid_price": "0.3000", "previous_price": "2.1"})
    client.post("/batches/WEB1/regions", data={"csrf_token": token, "region_codes": "370100，370200"})
    refused = client.post("/batches/WEB1/rules", data={"csrf_token": token, "rule.fuse_multiple": "abc"},
                          follow_redirects=True).get_data(as_text=True)
    assert "请输入数字" in refused and "价差倍数" in refused  # on the field, in Chinese
    client.post("/batches/WEB1/rules", data={"csrf_token": token, "rule.publicity_days": "7"})
    opened = client.post("/batches/WEB1/transition", data={"csrf_token": token, "action": "open_demand"},
                         follow_redirects=True).get_data(as_text=True)
    assert "报量中" in opened and "¥0.3000" in opened and "开始报量" in opened
    batch = session.exec(select(Batch).where(Batch.code == "WEB1")).one()
    session.refresh(batch)
    assert batch.status == "demand" and '"publicity_days": 7' in batch.rules_json
    assert batch.demand_deadline.isoformat() == "2099-01-10T09:00:00+00:00"  # 17:00 Beijing time


def test_admin_creates_an_organisation_and_a_user(client, db, world):
    login(client, world.username("A", Role.ADMIN))
    token = csrf_token(client, "/admin/orgs/new")
    r = client.post("/admin/orgs/new", data={"csrf_token": token, "code": "H370100999", "name": "新医院",
                                             "kind": "hospital", "region_code": "370100"})
    assert r.status_code == 302
    r = client.post("/admin/users/new", data={"csrf_token": token, "username": "newbuyer", "display_name": "新采购员",
                                              "password": "long-enough-pass", "role": "hospital_buyer",
                                              "org_code": "H370100999"})
    assert r.status_code == 302
    with db.read_session() as s:  # a read session: it must not hold SQLite's write lock
        assert s.exec(select(User).where(User.username == "newbuyer")).one().role == "hospital_buyer"
    foreign = client.post("/admin/users/new", data={"csrf_token": token, "username": "intruder",
                                                    "display_name": "x", "password": "long-enough-pass",
                                                    "role": "hospital_buyer", "org_code": "B-hospital"})
    assert "本地区没有该机构" in foreign.get_data(as_text=True)
    listing = client.get("/admin/orgs").get_data(as_text=True)
    assert "新医院" in listing and "B hospital" not in listing
