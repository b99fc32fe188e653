"""Bidding through the web pages: preview, confirm, receipt slip, withdraw, open, record, export."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import timedelta

from openpyxl import load_workbook

from accounts.roles import Role
from bidding import services
from core.clock import utcnow
from tests.bidding.conftest import bid, bidding_open_now, make_bidding_batch
from tests.conftest import csrf_token, login


def _form(token, price="1.4", capacity="5000000", confirm="", tiers=()):
    data = {"csrf_token": token, "item_code": "YP001", "strength": "20", "strength_unit": "mg",
            "units_per_pack": "7", "pack_price": price, "capacity": capacity,
            "eligibility": "consistency_generic", "confirm": confirm}
    for i, (v, p) in enumerate(tiers):
        data[f"tiers-{i}-min_volume"], data[f"tiers-{i}-pack_price"] = str(v), p
    return data


def test_supplier_previews_confirms_and_withdraws(client, session, world, ring):
    code = bidding_open_now(session, world, days=2)
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, f"/batches/{code}/bids/new")
    preview = client.post(f"/batches/{code}/bids/new", data=_form(token, tiers=[(1000000, "1.26")])).get_data(as_text=True)
    assert "¥0.2000" in preview and "¥0.1800" in preview and 'data-testid="confirm-bid"' in preview
    refused = client.post(f"/batches/{code}/bids/new", data=_form(token, price="3.6")).get_data(as_text=True)
    assert "最高有效申报价" in refused and "confirm-bid" not in refused
    bad_number = client.post(f"/batches/{code}/bids/new", data=_form(token, price="1.23456")).get_data(as_text=True)
    assert "最多 4 位小数" in bad_number and "decimal" not in bad_number  # the field error, in Chinese only
    done = client.post(f"/batches/{code}/bids/new", data=_form(token, confirm="1")).get_data(as_text=True)
    receipt = re.search(r'data-testid="receipt">([0-9a-f]{64})<', done).group(1)
    slip = html.unescape(re.search(r'<input type="hidden" name="slip" value="([^"]*)">', done).group(1))
    download = client.post("/bids/receipt-slip", data={"csrf_token": token, "slip": slip})
    assert download.status_code == 200 and json.loads(download.data)["receipt"] == receipt
    assert client.post("/bids/receipt-slip", data={"csrf_token": token, "slip": "not json"}).status_code == 400
    listing = client.get(f"/batches/{code}/bids").get_data(as_text=True)
    assert receipt[:4] in listing and "¥1.4000" not in listing  # sealed: not even for its author
    client.post(f"/batches/{code}/bids/YP001/withdraw", data={"csrf_token": token, "reason": "测试"})
    assert "已撤回" in client.get(f"/batches/{code}/bids").get_data(as_text=True)


def test_officer_sees_envelopes_then_opens_and_reads_the_record(client, session, world, ring, app):
    now = utcnow()
    code = make_bidding_batch(session, world, demand_deadline=now - timedelta(days=3),
                              bid_deadline=now - timedelta(hours=1), opening_at=now - timedelta(minutes=1))
    app.extensions["jicai.keyring"] = ring
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(tiers=[(10, 13000)]), ring,
                        now - timedelta(days=1))
    services.submit_bid(session, world.actors[("B", Role.SUPPLIER_REP)], code, bid(pack_price_e4=13300),
                        ring, now - timedelta(days=1))
    login(client, world.username("A", Role.PRICE_OFFICER))
    assert client.get(f"/batches/{code}/opening").status_code == 404  # nothing to read before opening
    assert client.get(f"/batches/{code}/opening.xlsx").status_code == 404
    page = client.get(f"/batches/{code}/bids").get_data(as_text=True)
    assert "密封" in page and "¥1.4000" not in page
    token = csrf_token(client, f"/batches/{code}/bids")
    opened = client.post(f"/batches/{code}/open", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "开标记录" in opened and "¥0.1900" in opened and "¥0.2000" in opened and "B supplier" in opened
    sheet = load_workbook(io.BytesIO(client.get(f"/batches/{code}/opening.xlsx").data)).active
    assert [c.value for c in sheet[2]][2] in ("A supplier", "B supplier")
    client.post("/logout", data={"csrf_token": token})
    login(client, world.username("A", Role.SUPPLIER_REP))
    public = client.get(f"/batches/{code}/opening").get_data(as_text=True)
    assert "A supplier" in public and "B supplier" not in public and "¥0.1900" in public  # rival's UCP, not its name
    assert "¥1.3300" not in public  # nor its pack price


def test_hospitals_have_no_bidding_pages(client, session, world):
    now = utcnow()
    code = make_bidding_batch(session, world, demand_deadline=now - timedelta(hours=1),
                              bid_deadline=now + timedelta(days=1), opening_at=now + timedelta(days=1))
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert client.get(f"/batches/{code}/bids").status_code == 403
    assert client.get(f"/batches/{code}/opening").status_code == 403


def test_receipt_is_a_printable_slip_with_the_company_name(client, session, world, ring):
    from bidding.receipts import short_receipt

    code = bidding_open_now(session, world, days=2)
    session.close()
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, f"/batches/{code}/bids/new")
    done = client.post(f"/batches/{code}/bids/new", data=_form(token, confirm="1")).get_data(as_text=True)
    receipt = re.search(r'data-testid="receipt">([0-9a-f]{64})<', done).group(1)
    slip = done[done.index('data-testid="receipt-slip"'):done.index('data-testid="print-receipt"')]
    assert 'data-testid="slip-company">A supplier<' in slip and short_receipt(receipt) in slip
    assert "<textarea" not in done and "{" not in slip and "a_supplier_rep" not in slip
    assert "data-print" in done and "print.js" in done
    listing = client.get(f"/batches/{code}/bids").get_data(as_text=True)
    submission_id = re.search(rf"/batches/{code}/bids/(\d+)/receipt", listing).group(1)
    again = client.get(f"/batches/{code}/bids/{submission_id}/receipt").get_data(as_text=True)
    assert "A supplier" in again and receipt in again and "¥1.4000" not in again  # sealed: no price on a reprint
    login(client, world.username("B", Role.SUPPLIER_REP))
    assert client.get(f"/batches/{code}/bids/{submission_id}/receipt").status_code == 404  # another company's
    login(client, world.username("A", Role.SUPPLIER_REP))
    template = load_workbook(io.BytesIO(client.get(f"/batches/{code}/bids/template.xlsx").data))
    lines = [r[0] for r in template["填写说明"].iter_rows(values_only=True)]
    assert "企业：A supplier" in lines and not any("a_supplier_rep" in (line or "") for line in lines)
