"""After the run: compare the database with what the clients sent and were told.

Demand: every hospital has exactly the versions 1..n for its n accepted uploads, each
version's lines are exactly the sheet that got that version (no lost, extra or duplicated
line), and rejected uploads left nothing. Bids: per supplier × item the stored submissions
are exactly the acknowledged ones (receipts, as a multiset), one of them is live and it is
the last acknowledged one; after the opening, the opened bid holds the values of that last
amendment and its receipt verifies. Plus: no 5xx, every request answered, the audit chain
intact.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session

from core import audit
from loadtest.runner import Outcome
from loadtest.stats import Recorder
from loadtest.suppliers import Offer

DEMAND_SQL = text("""
    SELECT o.code, u.version, u.row_count, i.code AS item, l.last_year_use, l.committed
    FROM demand_upload u JOIN batch b ON b.id = u.batch_id JOIN organisation o ON o.id = u.hospital_org_id
    LEFT JOIN demand_line l ON l.upload_id = u.id LEFT JOIN batch_item bi ON bi.id = l.batch_item_id
    LEFT JOIN item i ON i.id = bi.item_id WHERE b.code = :batch""")
BIDS_SQL = text("""
    SELECT o.code, i.code AS item, s.id, s.receipt, s.status FROM bid_submission s
    JOIN batch b ON b.id = s.batch_id JOIN organisation o ON o.id = s.supplier_org_id
    JOIN batch_item bi ON bi.id = s.batch_item_id JOIN item i ON i.id = bi.item_id
    WHERE b.code = :batch ORDER BY s.id""")
OPENED_SQL = text("""
    SELECT ob.submission_id, ob.receipt_ok, ob.valid, ob.reasons_json, ob.strength, ob.strength_unit,
           ob.units_per_pack, ob.pack_price_e4, ob.capacity, ob.eligibility, ob.tiers_json
    FROM opened_bid ob JOIN opening_record r ON r.id = ob.opening_id JOIN batch b ON b.id = r.batch_id
    WHERE b.code = :batch""")
#: refusals a request arriving after the deadline (or after the opening) may get
LATE = ("申报已截止", "deadline has passed", "不在申报期", "not open for bids")


@dataclass
class Report:
    """Failures (each one a sentence) and the counts worth printing."""

    failures: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def fail(self, message: str) -> None:
        """Record a failed check (the first 30 are printed)."""
        self.failures.append(message)


def check_demand(session: Session, batch: str, outcome: Outcome, report: Report) -> None:
    """Versions and lines of every hospital against its accepted uploads."""
    stored: dict[str, dict[int, dict[str, tuple[int, int]]]] = defaultdict(dict)
    declared: dict[tuple[str, int], int] = {}
    for code, version, row_count, item, last, committed in session.execute(DEMAND_SQL, {"batch": batch}):
        lines = stored[code].setdefault(version, {})
        declared[(code, version)] = row_count
        if item is not None:
            if item in lines:
                report.fail(f"demand {code} v{version}: item {item} stored twice")
            lines[item] = (last, committed)
    c = Counter()
    for run in outcome.hospitals:
        code = run.account.org_code
        if run.error:
            report.fail(f"hospital {code}: {run.error}")
        for up in run.uploads:
            c[f"uploads {up.outcome}"] += 1
            if up.outcome in ("accepted", "rejected") and up.outcome != up.expect:
                report.fail(f"hospital {code}: upload expected {up.expect}, got {up.outcome} {up.detail}")
            elif up.outcome == "refused" or (up.outcome == "accepted" and up.detail):
                report.fail(f"hospital {code}: upload {up.outcome}: {up.detail}")
        accepted = [u for u in run.uploads if u.outcome == "accepted"]
        versions = stored.get(code, {})
        if [u.version for u in accepted] != list(range(1, len(accepted) + 1)):
            report.fail(f"hospital {code}: versions acknowledged {[u.version for u in accepted]}")
        if sorted(versions) != list(range(1, len(accepted) + 1)):
            report.fail(f"hospital {code}: {len(accepted)} uploads accepted, versions stored {sorted(versions)}")
        for up in accepted:
            lines = versions.get(up.version)
            if lines != up.rows:
                report.fail(f"hospital {code} v{up.version}: stored lines differ from the sheet sent "
                            f"({len(lines or {})} stored, {len(up.rows)} sent)")
            elif declared.get((code, up.version)) != len(up.rows):
                report.fail(f"hospital {code} v{up.version}: row_count {declared.get((code, up.version))}")
    known = {run.account.org_code for run in outcome.hospitals}
    for code in set(stored) - known:
        report.fail(f"demand stored for {code}, which no client uploaded")
    report.counts.update(c)
    report.counts["demand versions stored"] = sum(len(v) for v in stored.values())
    report.counts["demand lines stored"] = sum(len(lines) for v in stored.values() for lines in v.values())


def _offer_matches(row, offer: Offer) -> bool:
    """The opened bid carries exactly the values of the offer."""
    tiers = [(t["min_volume"], t["pack_price_e4"]) for t in json.loads(row.tiers_json)]
    return (Decimal(str(row.strength)) == Decimal(offer.strength) and row.strength_unit == offer.unit
            and row.units_per_pack == offer.units_per_pack and row.capacity == offer.capacity
            and row.pack_price_e4 == int(offer.pack_price.replace(".", ""))
            and row.eligibility == offer.eligibility
            and tiers == [(v, int(p.replace(".", ""))) for v, p in offer.tiers])


def check_bids(session: Session, batch: str, outcome: Outcome, report: Report) -> None:
    """Submissions, the live bid and the opened bid of every supplier × item."""
    rows: dict[tuple[str, str], list] = defaultdict(list)
    for row in session.execute(BIDS_SQL, {"batch": batch}):
        rows[(row.code, row.item)].append(row)
    opened = {row.submission_id: row for row in session.execute(OPENED_SQL, {"batch": batch})}
    if outcome.opening_error:
        report.fail(f"opening failed: {outcome.opening_error}")
    c = Counter()
    sent_keys = set()
    for run in outcome.suppliers:
        code = run.account.org_code
        c[f"suppliers ({run.mode})"] += 1
        c["bid rounds skipped (after the deadline)"] += run.skipped_rounds
        if run.error:
            report.fail(f"supplier {code}: {run.error}")
        for item in {s.item for s in run.sent}:
            sent_keys.add((code, item))
            sent = [s for s in run.sent if s.item == item]
            acked = [s for s in sent if s.outcome == "acked"]
            for s in sent:
                c[f"bids {s.outcome}"] += 1
                if s.outcome == "refused" and not any(m in s.detail for m in LATE):
                    report.fail(f"supplier {code} {item}: refused for another reason than the deadline: {s.detail}")
            stored = rows.get((code, item), [])
            if Counter(r.receipt for r in stored) != Counter(s.receipt for s in acked):
                report.fail(f"supplier {code} {item}: {len(acked)} submissions acknowledged, {len(stored)} stored "
                            f"(receipts differ)")
            live = [r for r in stored if r.status == "live"]
            if acked and (len(live) != 1 or live[0].receipt != acked[-1].receipt):
                report.fail(f"supplier {code} {item}: live bid is not the last acknowledged amendment "
                            f"({len(live)} live)")
                continue
            if acked and outcome.opened_at:
                got = opened.get(live[0].id)
                if got is None:
                    report.fail(f"supplier {code} {item}: last acknowledged bid was not opened")
                elif not (got.receipt_ok and got.valid and _offer_matches(got, acked[-1].offer)):
                    report.fail(f"supplier {code} {item}: opened bid differs from the last amendment sent "
                                f"(receipt ok {got.receipt_ok}, valid {got.valid}, {got.reasons_json})")
    for key in set(rows) - sent_keys:
        report.fail(f"bids stored for {key}, which its supplier never sent")
    report.counts.update(c)
    late = [outcome.deadline - s.sent_at for run in outcome.suppliers for s in run.sent if s.outcome == "refused"]
    if late:
        report.counts["refused as late: sent up to … s before"] = round(max(late), 1)
    report.counts["bid submissions stored"] = sum(len(v) for v in rows.values())
    report.counts["bids opened"] = len(opened)


def check_http(recorder: Recorder, report: Report) -> None:
    """No 5xx, every request answered, no unexpected status."""
    report.counts["requests"] = recorder.total("count")
    for name, attr in (("5xx answers", "server_errors"), ("unexpected answers", "errors")):
        report.counts[name] = recorder.total(attr)
    report.counts["requests without an answer"] = recorder.no_answer()
    if recorder.total("server_errors"):
        report.fail(f"{recorder.total('server_errors')} responses were 5xx")
    if recorder.total("errors"):
        report.fail(f"{recorder.total('errors')} requests failed (5xx, unexpected status or no answer)")


def check_audit(session: Session, report: Report) -> None:
    """The hash chain written by all those concurrent transactions still verifies."""
    chain = audit.verify_chain(session)
    report.counts["audit entries"] = chain.entries
    if not chain.ok:
        report.fail(f"audit chain broken at {chain.first_broken_seq}: {chain.reason}")
