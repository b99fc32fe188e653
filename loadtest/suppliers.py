"""A supplier rep's journey: sign in and open the bid pages before the last minute, then
submit and amend (resubmit) its bids inside the last minute before the deadline.

Half the suppliers use the bid form (preview the unit comparable price, then confirm: the
receipt page), the other half the bid workbook (download the template, fill it with openpyxl,
upload: all bids sealed in one transaction). Every offer sent and its answer (receipt, or the
refusal, e.g. "window closed" for a request that arrives after the deadline) is kept in a
:class:`SupplierRun` for the checks.
"""

from __future__ import annotations

import html
import io
import random
import re
import time
from dataclasses import dataclass, field

from openpyxl import load_workbook

from loadtest.client import Browser, ClientError, flashes
from loadtest.seed import Account, BidItem, Plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECEIPT_RE = re.compile(r'<code data-testid="receipt">([^<]+)</code>')
DONE_RE = re.compile(r"<tr><td>([^<]+)</td><td><code>([^<]+)</code></td></tr>")
ERRORS_RE = re.compile(r'<ul class="errors">(.*?)</ul>', re.S)
ELIGIBILITY_ZH = {"consistency_generic": "通过一致性评价仿制药", "reference_drug": "参比制剂"}


@dataclass(frozen=True)
class Offer:
    """What the supplier typed for one item (pack prices in yuan text, 4 decimals)."""

    strength: str
    unit: str
    units_per_pack: int
    pack_price: str
    capacity: int
    eligibility: str
    tiers: tuple[tuple[int, str], ...] = ()


@dataclass
class Sent:
    """One bid sent for one item in one round, and the platform's answer."""

    item: str
    offer: Offer
    round: int
    outcome: str = "error"  # acked | refused | error (no usable answer)
    sent_at: float = field(default_factory=time.time)  # wall clock when the supplier pressed the button
    receipt: str = ""
    detail: str = ""


@dataclass
class SupplierRun:
    """Everything one supplier did."""

    account: Account
    mode: str  # form | workbook
    items: tuple[BidItem, ...]
    sent: list[Sent] = field(default_factory=list)
    skipped_rounds: int = 0  # rounds whose time came after the deadline
    error: str = ""
    template: bytes = b""


def yuan(e4: int) -> str:
    """1/10000 yuan as yuan text with four decimals."""
    return f"{e4 // 10000}.{e4 % 10000:04d}"


def first_offer(item: BidItem, rng: random.Random) -> Offer:
    """An opening offer: 30–95 % of the ceiling per unit, half of them with one volume tier."""
    unit_e4 = rng.randint(item.max_unit_e4 * 30 // 100, item.max_unit_e4 * 95 // 100)
    capacity = rng.randint(100, 10_000) * 1000
    tiers = ((capacity // 2, yuan(unit_e4 * item.pack * 97 // 100)),) if rng.random() < 0.5 else ()
    eligibility = "reference_drug" if rng.random() < 0.1 else "consistency_generic"
    return Offer(item.strength, item.unit, item.pack, yuan(unit_e4 * item.pack), capacity, eligibility, tiers)


def amended(offer: Offer, rng: random.Random) -> Offer:
    """An amendment: the pack price lowered by 1–5 %, capacity sometimes changed."""
    pack_e4 = int(offer.pack_price.replace(".", "")) * rng.randint(95, 99) // 100
    capacity = offer.capacity if rng.random() < 0.5 else rng.randint(100, 10_000) * 1000
    tiers = ((capacity // 2, yuan(pack_e4 * 97 // 100)),) if offer.tiers else ()
    return Offer(offer.strength, offer.unit, offer.units_per_pack, yuan(pack_e4), capacity, offer.eligibility, tiers)


def prepare(browser: Browser, plan: Plan, run: SupplierRun) -> None:
    """Before the last minute: sign in, look at the bids page, open the form or the template."""
    browser.login(run.account.username, plan.password)
    bids = f"/batches/{plan.bid_batch}/bids"
    browser.get(bids, "/batches/<code>/bids")
    if run.mode == "form":
        browser.get(bids + "/new", "/batches/<code>/bids/new")
    else:
        browser.get(bids + "/upload", "/batches/<code>/bids/upload")
        run.template = browser.get(bids + "/template.xlsx", "/batches/<code>/bids/template.xlsx").content


def bid_rounds(browser: Browser, plan: Plan, run: SupplierRun, rng: random.Random,
               schedule: list[float], deadline: float) -> None:
    """Submit at each scheduled wall-clock time (amending every item each time) until the deadline."""
    offers: dict[str, Offer] = {}
    for n, when in enumerate(schedule):
        time.sleep(max(0.0, when - time.time()))
        if time.time() >= deadline:
            run.skipped_rounds += len(schedule) - n
            break
        offers = {it.code: (amended(offers[it.code], rng) if it.code in offers else first_offer(it, rng))
                  for it in run.items}
        if run.mode == "form":
            for item in run.items:
                _form_bid(browser, plan, run, Sent(item.code, offers[item.code], n))
        else:
            _workbook_bids(browser, plan, run, [Sent(it.code, offers[it.code], n) for it in run.items])


def _form_fields(item: str, offer: Offer) -> dict[str, str]:
    """The bid form's fields for an offer."""
    data = {"item_code": item, "strength": offer.strength, "strength_unit": offer.unit,
            "units_per_pack": str(offer.units_per_pack), "pack_price": offer.pack_price,
            "capacity": str(offer.capacity), "eligibility": offer.eligibility, "confirm": ""}
    for n in range(3):
        volume, price = offer.tiers[n] if n < len(offer.tiers) else ("", "")
        data[f"tiers-{n}-min_volume"], data[f"tiers-{n}-pack_price"] = str(volume), price
    return data


def _refusals(page: str) -> str:
    """Why a bid page refused: its flashed errors and the reasons listed under the preview."""
    found = [t for _c, t in flashes(page)]
    for block in ERRORS_RE.findall(page):
        found.append(html.unescape(re.sub(r"<[^>]+>", " ", block)).strip())
    return "; ".join(found)


def _form_bid(browser: Browser, plan: Plan, run: SupplierRun, sent: Sent) -> None:
    """Preview, then confirm: the receipt page is the acknowledgement."""
    run.sent.append(sent)
    path = f"/batches/{plan.bid_batch}/bids/new"
    data = _form_fields(sent.item, sent.offer)
    page = browser.post(path, "/batches/<code>/bids/new [preview]", data, expect=(200,)).text
    if 'data-testid="confirm-bid"' not in page:
        sent.outcome, sent.detail = "refused", _refusals(page) or "preview refused"
        return
    page = browser.post(path, "/batches/<code>/bids/new [confirm]", {**data, "confirm": "1"}, expect=(200,)).text
    match = RECEIPT_RE.search(page)
    if match:
        sent.outcome, sent.receipt = "acked", match.group(1)
    else:
        sent.outcome, sent.detail = "refused", _refusals(page) or "no receipt"


def bid_workbook(template: bytes, offers: dict[str, Offer]) -> bytes:
    """The downloaded template with the offered items filled in and the other rows removed."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["申报"]
    col = {cell.value: cell.column for cell in ws[1]}
    for r in range(ws.max_row, 1, -1):
        code = ws.cell(row=r, column=col["品种编码"]).value
        offer = offers.get(str(code))
        if offer is None:
            ws.delete_rows(r)
            continue
        values = {"申报规格含量": offer.strength, "含量单位": offer.unit, "每包装数量": offer.units_per_pack,
                  "包装价（元）": offer.pack_price, "年供应产能": offer.capacity,
                  "资格声明": ELIGIBILITY_ZH[offer.eligibility]}
        for n, (volume, price) in enumerate(offer.tiers, start=1):
            values[f"阶梯{n}获得量"], values[f"阶梯{n}包装价"] = volume, price
        for title, value in values.items():
            ws.cell(row=r, column=col[title]).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _workbook_bids(browser: Browser, plan: Plan, run: SupplierRun, sents: list[Sent]) -> None:
    """Upload every offer in one workbook: all sealed (receipts listed) or none."""
    run.sent.extend(sents)
    data = bid_workbook(run.template, {s.item: s.offer for s in sents})
    page = browser.post(f"/batches/{plan.bid_batch}/bids/upload", "/batches/<code>/bids/upload",
                        {}, files={"file": (f"{run.account.org_code}.xlsx", data, XLSX)}, expect=(200,)).text
    receipts = {html.unescape(code): receipt for code, receipt in DONE_RE.findall(page)}
    if 'data-testid="upload-done"' in page:
        for s in sents:
            s.outcome, s.receipt = ("acked", receipts[s.item]) if s.item in receipts else ("error", "")
        return
    detail = _refusals(page) or "no receipts"
    for s in sents:
        s.outcome, s.detail = "refused", detail


def run_supplier(browser: Browser, plan: Plan, run: SupplierRun, rng: random.Random,
                 window, ready) -> SupplierRun:
    """Prepare, report ready, wait for the last minute, bid; never raises."""
    try:
        prepare(browser, plan, run)
    except ClientError as exc:
        run.error = f"before the window: {exc}"
    finally:
        ready()
    if run.error:
        browser.close()
        return run
    schedule, deadline = window(run)
    try:
        bid_rounds(browser, plan, run, rng, schedule, deadline)
        browser.get(f"/batches/{plan.bid_batch}/bids", "/batches/<code>/bids")
    except ClientError as exc:
        run.error = str(exc)
    finally:
        browser.close()
    return run
