"""A hospital buyer's journey: sign in, open the demand page, download the batch's template,
fill it in with openpyxl and upload it, sometimes after a rejected first try (a committed
volume below the floor without a reason: the page answers 422 and nothing is stored), and
sometimes uploading a corrected version once more. Every sheet sent and what the platform
answered is kept in a :class:`HospitalRun` for the checks."""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field

from openpyxl import load_workbook

from loadtest.client import Browser, ClientError, flashes
from loadtest.seed import Account, Plan
from loadtest.stats import Recorder

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "报量"


@dataclass
class Upload:
    """One workbook sent: its lines (item → last year's use, committed) and the answer."""

    rows: dict[str, tuple[int, int]]
    expect: str  # accepted | rejected
    outcome: str = "not sent"  # accepted | rejected | refused | error
    version: int | None = None
    detail: str = ""


@dataclass
class HospitalRun:
    """Everything one hospital did."""

    account: Account
    uploads: list[Upload] = field(default_factory=list)
    error: str = ""


def fill_template(template: bytes, rng: random.Random, below_floor: bool = False) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """Fill last year's use and the committed volume of every item row of the template.

    Committed volumes are 80–120 % of last year's use (the default floor is 80 %); with
    ``below_floor`` one row is committed at half its use without a reason, so the upload must
    be rejected as a whole."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb[SHEET]
    header = [cell.value for cell in ws[1]]
    c_item, c_last, c_committed = (header.index(t) + 1 for t in ("品种编码", "上年用量", "承诺年采购量"))
    rows: dict[str, tuple[int, int]] = {}
    for r in range(2, ws.max_row + 1):
        code = ws.cell(row=r, column=c_item).value
        if not code:
            continue
        last = rng.randint(0, 60) * 1000
        committed = last * rng.randint(80, 120) // 100
        ws.cell(row=r, column=c_last).value = last
        ws.cell(row=r, column=c_committed).value = committed
        rows[str(code)] = (last, committed)
    if below_floor and rows:
        r = 2
        code = str(ws.cell(row=r, column=c_item).value)
        last = max(rows[code][0], 2000)
        ws.cell(row=r, column=c_last).value = last
        ws.cell(row=r, column=c_committed).value = last // 2
        rows[code] = (last, last // 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows


def run_hospital(base_url: str, recorder: Recorder, plan: Plan, account: Account, rng: random.Random,
                 bad_first: bool, reupload: bool) -> HospitalRun:
    """One hospital's whole visit; never raises (a failure is kept in ``run.error``)."""
    run = HospitalRun(account)
    browser = Browser(base_url, recorder)
    page = f"/batches/{plan.demand_batch}/demand"
    try:
        browser.login(account.username, plan.password)
        browser.get(page, "/batches/<code>/demand")
        template = browser.get(page + "/template", "/batches/<code>/demand/template").content
        wanted = (["rejected"] if bad_first else []) + ["accepted"] + (["accepted"] if reupload else [])
        for n, expect in enumerate(wanted):
            data, rows = fill_template(template, rng, below_floor=expect == "rejected")
            upload = Upload(rows, expect)
            run.uploads.append(upload)
            _send(browser, page, upload, data, f"{account.org_code}-v{n + 1}.xlsx")
    except ClientError as exc:
        run.error = str(exc)
        for upload in run.uploads:
            if upload.outcome == "not sent":
                upload.outcome = "error"
    finally:
        browser.close()
    return run


def _send(browser: Browser, page: str, upload: Upload, data: bytes, filename: str) -> None:
    """Upload one workbook and read the answer: 302 then a success flash, or 422 with errors."""
    upload.outcome = "error"  # until an answer says otherwise
    response = browser.post(page, "/batches/<code>/demand", {}, files={"file": (filename, data, XLSX)},
                            expect=(302, 422))
    if response.status_code == 422:
        upload.outcome, upload.detail = "rejected", "422"
        return
    shown = flashes(browser.get(page, "/batches/<code>/demand").text)
    for category, text in shown:
        numbers = re.findall(r"\d+", text)
        if category == "success" and len(numbers) >= 2:
            upload.outcome, upload.version = "accepted", int(numbers[0])
            if int(numbers[1]) != len(upload.rows):
                upload.detail = f"platform counted {numbers[1]} rows, {len(upload.rows)} sent"
            return
    upload.outcome, upload.detail = "refused", "; ".join(t for _c, t in shown) or "no message"
