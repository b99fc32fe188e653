"""The bulk demand import streams its lines before the rules have run: kept when they pass,
dropped (nothing written) when they do not; and the stream itself (``CopyStream``)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from accounts.roles import Role
from core.audit import AuditEntry
from imports.demand import columns_if_clean, read_demand_sheet_bulk
from procurement.demand.bulk import CopyStream
from procurement.demand.models import DemandLine, DemandUpload
from procurement.demand.services import submit_bulk_demand
from tests.procurement.demand_fixtures import BEFORE, sheet

OFFICER = ("A", Role.PRICE_OFFICER)
HEADER = ["医院编码", "品种编码", "上年用量", "承诺年采购量", "原因"]
GOOD_ROWS = [["A-hospital", "YP101", 10, 9, None], ["A2-hospital", "YP101", 20, 16, None], ["A2-hospital", "YP102", 5, 4, None]]


def _counts(session) -> tuple[int, int, int]:
    """Rows in the demand tables and the audit log."""
    return tuple(session.exec(select(func.count()).select_from(m)).one() for m in (DemandUpload, DemandLine, AuditEntry))


@pytest.mark.parametrize(("rows", "codes"), [
    # every cell good and every hospital and item known, so the lines stream; the rules then refuse
    ([["A-hospital", "YP101", 10, 9, None], ["A2-hospital", "YP101", 20, 1, None]], ["below_floor"]),
    ([["A-hospital", "YP101", 10, 9, None], ["A-hospital", "YP102", 5, 4, None], ["A-hospital", "YP101", 10, 9, None]],
     ["duplicate", "duplicate"]),  # on PostgreSQL the COPY itself fails on the unique index: dropped all the same
], ids=["below_floor", "duplicate"])
def test_a_file_the_rules_refuse_after_its_lines_streamed_writes_nothing(session, world, demand, rows, codes):
    officer = world.actors[OFFICER]
    bulk = sheet(rows, HEADER)
    read = read_demand_sheet_bulk(bulk, filename="bad.xlsx")
    assert columns_if_clean(read, ()) is not None  # the case streams
    before = _counts(session)
    rejected = submit_bulk_demand(session, officer, "DB1", bulk, "bad.xlsx", BEFORE)
    assert not rejected.accepted and [e.code for e in rejected.errors] == codes
    assert _counts(session) == before
    assert rejected.error_count == len(codes)
    accepted = submit_bulk_demand(session, officer, "DB1", sheet(GOOD_ROWS, HEADER), "good.xlsx", BEFORE)
    assert accepted.accepted and accepted.versions == {"A-hospital": 1, "A2-hospital": 1} and accepted.rows == 3
    lines = session.exec(select(DemandLine.upload_id, DemandLine.last_year_use, DemandLine.committed)
                         .order_by(DemandLine.id)).all()
    assert [(last, done) for _u, last, done in lines] == [(10, 9), (20, 16), (5, 4)]
    assert [u for u, _l, _d in lines] == [accepted.upload_ids[0], accepted.upload_ids[1], accepted.upload_ids[1]]


def test_a_streamed_file_is_written_whole_with_its_rows_and_versions(session, world, demand):
    officer = world.actors[OFFICER]
    first = submit_bulk_demand(session, officer, "DB1", sheet(GOOD_ROWS, HEADER), "one.xlsx", BEFORE)
    again = submit_bulk_demand(session, officer, "DB1", sheet(GOOD_ROWS[1:], HEADER), "two.xlsx", BEFORE)
    assert first.accepted and again.accepted and again.versions == {"A2-hospital": 2} and again.rows == 2
    counts = dict(session.exec(select(DemandUpload.id, DemandUpload.row_count)).all())
    assert [counts[i] for i in first.upload_ids + again.upload_ids] == [1, 2, 2]
    assert session.exec(select(func.count()).select_from(DemandLine)).one() == 5


def _scratch(session) -> None:
    """A temporary table of the transaction to stream into."""
    session.execute(text("CREATE TEMPORARY TABLE stream_scratch (n integer NOT NULL, label text)"))


def _count(session) -> int:
    return session.execute(text("SELECT count(*) FROM stream_scratch")).scalar_one()


def test_a_kept_stream_writes_every_row_in_the_transaction(session):
    _scratch(session)
    rows = [(n, None if n % 3 else f"第{n}行\t含制表符\\与换行\n") for n in range(10_000)]
    stream = CopyStream(session, "stream_scratch", ("n", "label"), iter(rows))
    assert stream.keep() == 10_000
    assert _count(session) == 10_000
    found = session.execute(text("SELECT n, label FROM stream_scratch ORDER BY n")).all()
    assert [tuple(row) for row in found] == rows


def test_a_dropped_stream_stops_taking_rows_and_the_session_goes_on(session):
    _scratch(session)
    taken = 0
    total = 3_000_000

    def rows():
        nonlocal taken
        for n in range(total):
            taken += 1
            yield (n, "x")

    stream = CopyStream(session, "stream_scratch", ("n", "label"), rows())
    stream.drop()
    assert taken < total  # on PostgreSQL it stopped part way; on SQLite it never began
    session.rollback()  # what every caller does after a drop (the transaction, its table too, is gone)
    assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_failing_stream_raises_its_error_when_kept(session):
    _scratch(session)
    stream = CopyStream(session, "stream_scratch", ("n", "label"), iter([(1, "a"), (None, "b")]))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the driver's own type on each database
        stream.keep()
    assert isinstance(caught.value, IntegrityError) or type(caught.value).__name__ == "NotNullViolation"
    session.rollback()
