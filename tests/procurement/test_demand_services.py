"""Demand services: versions, all-or-nothing rejections, refusals, audit, diff, consolidation."""

import json

import pytest
from sqlmodel import func, select

from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from core.audit import AuditEntry, verify_chain
from procurement.demand import queries
from procurement.demand.models import DemandLine, DemandReminder, DemandUpload
from procurement.demand.services import (
    DemandError,
    error_workbook,
    send_demand_reminders,
    submit_bulk_demand,
    submit_demand,
)
from tests.procurement.demand_fixtures import AFTER, BEFORE, GOOD, sheet

BUYER, OFFICER = ("A", Role.HOSPITAL_BUYER), ("A", Role.PRICE_OFFICER)


def _counts(session) -> tuple[int, int, int]:
    """Rows in the demand tables and the audit log."""
    return tuple(session.exec(select(func.count()).select_from(m)).one() for m in (DemandUpload, DemandLine, AuditEntry))


def test_accepted_upload_is_version_one_with_its_lines(session, world, demand):
    result = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", GOOD, "报量.xlsx", BEFORE)
    assert result.accepted and result.version == 1 and result.rows == 2
    upload = session.exec(select(DemandUpload)).one()
    assert (upload.version, upload.on_behalf, upload.row_count, upload.filename) == (1, False, 2, "报量.xlsx")
    view = queries.hospital_demand(session, world.actors[BUYER], "DB1", "A-hospital")
    assert [(v.item_code, v.last_year_use, v.committed, v.reason) for v in view.lines] == [
        ("YP101", 1000, 900, None), ("YP102", 200, 100, "改用其他剂型")]


def test_rejected_upload_writes_nothing_and_names_row_column_value(session, world, demand):
    before = _counts(session)
    bad = sheet([["YP101", 1000, 700, None, None], ["YP999", 5, "１２.５", None, None]])
    result = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", bad, "bad.xlsx", BEFORE)
    assert not result.accepted and result.error_count == 3
    assert _counts(session) == before
    assert [(e.row, e.column, e.cell, e.value, e.code) for e in result.errors] == [
        (2, "承诺年采购量", "C2", "700", "below_floor"), (3, "品种编码", "A3", "YP999", "unknown_item"),
        (3, "承诺年采购量", "C3", "１２.５", "not_whole")]
    marked = error_workbook(result, bad, "bad.xlsx")
    assert marked is not None and marked[:2] == b"PK"


def test_not_a_workbook_is_rejected_with_a_message(session, world, demand):
    result = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", b"hello", "x.xlsx", BEFORE)
    assert not result.accepted and not result.readable and ".xlsx" in result.message
    assert error_workbook(result, b"hello", "x.xlsx") is None


def test_empty_sheet_is_rejected(session, world, demand):
    result = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", sheet([]), "e.xlsx", BEFORE)
    assert not result.accepted and result.errors[0].code == "empty"


def test_versions_diff_and_latest_counts(session, world, demand):
    buyer = world.actors[BUYER]
    submit_demand(session, buyer, "DB1", "A-hospital", GOOD, "v1.xlsx", BEFORE)
    v2 = sheet([["YP101", 1000, 1200, None, None]])
    assert submit_demand(session, buyer, "DB1", "A-hospital", v2, "v2.xlsx", BEFORE).version == 2
    view = queries.hospital_demand(session, buyer, "DB1", "A-hospital")
    assert [v.version for v in view.versions] == [2, 1]
    diff = queries.version_diff(session, buyer, view.versions[1], view.versions[0])
    assert [(d.item_code, d.old, d.new, d.change) for d in diff] == [
        ("YP101", 900, 1200, "changed"), ("YP102", 100, None, "removed")]
    _batch, per_item, _per_region = queries.consolidated_demand(session, world.actors[OFFICER], "DB1")
    assert [(i.item_code, i.committed) for i in per_item] == [("YP101", 1200), ("YP102", 0)]
    assert session.exec(select(func.count()).select_from(DemandLine)).one() == 3  # history kept


def test_upload_after_the_deadline_is_refused(session, world, demand):
    with pytest.raises(DemandError, match="截止") as refused:
        submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", GOOD, "late.xlsx", AFTER)
    assert _counts(session)[0] == 0
    # the deadline (09:00 UTC) is named in the bureau's local time, zone said, never in UTC
    assert "报量已于 2099-01-10 17:00 (北京时间) 截止" in str(refused.value)
    assert "(2099-01-10 17:00 (Beijing time))" in str(refused.value)
    assert "UTC" not in str(refused.value) and "09:00" not in str(refused.value)


def test_deadline_refusal_follows_the_configured_time_zone(session, world, demand):
    with pytest.raises(DemandError) as refused:
        submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", GOOD, "late.xlsx", AFTER, tz="Asia/Urumqi")
    assert "2099-01-10 15:00 (Asia/Urumqi, UTC+06:00)" in str(refused.value)
    with pytest.raises(DemandError, match=r"2099-01-10 17:00 \(北京时间\)"):
        submit_bulk_demand(session, world.actors[OFFICER], "DB1", GOOD, "late.xlsx", AFTER)
    with pytest.raises(DemandError, match=r"2099-01-10 17:00 \(北京时间\)"):
        send_demand_reminders(session, world.actors[OFFICER], "DB1", AFTER)


def test_upload_outside_demand_collection_is_refused(session, world):
    from procurement import services
    services.create_batch(session, world.actors[OFFICER], code="DRAFT1", name="草稿")
    with pytest.raises(DemandError, match="不在报量阶段"):
        submit_demand(session, world.actors[BUYER], "DRAFT1", "A-hospital", GOOD, "x.xlsx", BEFORE)


def test_buyer_cannot_upload_for_another_hospital(session, world, demand):
    with pytest.raises(Forbidden, match="本院"):
        submit_demand(session, world.actors[BUYER], "DB1", "A2-hospital", GOOD, "x.xlsx", BEFORE)
    other_code = sheet([["YP101", 10, 10]], header=["品种编码", "上年用量", "承诺年采购量"])
    assert submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", other_code, "x.xlsx", BEFORE).accepted
    foreign_rows = sheet([["A2-hospital", "YP101", 10, 10]], header=["医院编码", "品种编码", "上年用量", "承诺年采购量"])
    rejected = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", foreign_rows, "x.xlsx", BEFORE)
    assert rejected.errors[0].code == "other_hospital"


def test_foreign_batch_and_roles_are_refused(session, world, demand):
    with pytest.raises(Forbidden):
        submit_demand(session, world.actors[("B", Role.HOSPITAL_BUYER)], "DB1", "B-hospital", GOOD, "x.xlsx", BEFORE)
    with pytest.raises(Forbidden):
        submit_demand(session, world.actors[("A", Role.SUPPLIER_REP)], "DB1", "A-hospital", GOOD, "x.xlsx", BEFORE)
    with pytest.raises(Forbidden):
        submit_demand(session, world.actors[("B", Role.PRICE_OFFICER)], "DB1", "A-hospital", GOOD, "x.xlsx", BEFORE)


def test_officer_uploads_on_behalf_and_it_is_audited(session, world, demand):
    result = submit_demand(session, world.actors[OFFICER], "DB1", "A2-hospital", GOOD, "代报.xlsx", BEFORE)
    assert result.accepted
    upload = session.exec(select(DemandUpload)).one()
    assert upload.on_behalf and upload.uploaded_by == world.users[OFFICER].id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "demand.submit")).one()
    detail = json.loads(entry.detail)
    assert entry.actor_name == world.username(*OFFICER) and detail["on_behalf"] is True
    assert detail["hospital"] == "A2-hospital" and detail["version"] == 1
    assert verify_chain(session).ok


def test_brand_must_be_a_supplier(session, world, demand):
    with_brand = sheet([["YP101", 1000, 900, "A-supplier", None], ["YP102", 10, 10, "A-hospital", None]])
    result = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", with_brand, "b.xlsx", BEFORE)
    assert [e.code for e in result.errors] == ["unknown_brand"]
    ok = submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", sheet([["YP101", 1000, 900, "A supplier", None]]), "b.xlsx", BEFORE)
    assert ok.accepted
    line = session.exec(select(DemandLine)).one()
    assert line.preferred_supplier_id == world.orgs[("A", OrgKind.SUPPLIER)].id


def test_progress_and_consolidation_by_region(session, world, demand):
    officer = world.actors[OFFICER]
    submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    submit_demand(session, officer, "DB1", "A2-hospital", sheet([["YP101", 50, 40, None, None]]), "b.xlsx", BEFORE)
    progress = queries.submission_progress(session, officer, "DB1")
    assert [(r.code, r.hospitals, r.submitted, str(r.share)) for r in progress.regions] == [
        ("370100", 2, 1, "50.0"), ("370200", 1, 1, "100.0")]
    assert [o.code for o, _r in progress.missing] == ["A3-hospital"]
    _batch, per_item, per_region = queries.consolidated_demand(session, officer, "DB1")
    assert [(i.item_code, i.hospitals, i.last_year_use, i.committed) for i in per_item] == [
        ("YP101", 2, 1050, 940), ("YP102", 1, 200, 100)]
    assert [(i.item_code, i.region_code, i.committed) for i in per_region] == [
        ("YP101", "370100", 900), ("YP101", "370200", 40), ("YP102", "370100", 100), ("YP102", "370200", 0)]
    assert queries.consolidated_demand(session, world.actors[("B", Role.PRICE_OFFICER)], "DB1") is None


def test_reminders_reach_only_hospitals_without_demand(session, world, demand):
    submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    assert send_demand_reminders(session, world.actors[OFFICER], "DB1", BEFORE) == 2
    reminded = set(session.exec(select(DemandReminder.hospital_org_id)).all())
    assert reminded == {demand.hospitals["A2"].id, demand.hospitals["A3"].id}
    with pytest.raises(Forbidden):
        send_demand_reminders(session, world.actors[BUYER], "DB1", BEFORE)


def test_bulk_file_creates_one_version_per_hospital_in_one_transaction(session, world, demand):
    officer = world.actors[OFFICER]
    submit_demand(session, world.actors[BUYER], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    header = ["医院编码", "品种编码", "上年用量", "承诺年采购量"]
    bulk = sheet([["A-hospital", "YP101", 10, 9], ["A2-hospital", "YP101", 20, 16], ["A2-hospital", "YP102", 5, 4]], header)
    result = submit_bulk_demand(session, officer, "DB1", bulk, "bulk.xlsx", BEFORE)
    assert result.accepted and result.versions == {"A-hospital": 2, "A2-hospital": 1} and result.rows == 3
    before = _counts(session)
    bad = sheet([["A-hospital", "YP101", 10, 9], ["B-hospital", "YP101", 20, 16]], header)
    rejected = submit_bulk_demand(session, officer, "DB1", bad, "bad.xlsx", BEFORE)
    assert not rejected.accepted and rejected.errors[0].code == "unknown_hospital"
    assert _counts(session) == before
