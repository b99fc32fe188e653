"""The bulk demand import streams its lines while the sheet is read (PostgreSQL): kept when the
rules pass, dropped (nothing written) when they do not; and the stream itself (``PartStream``)."""

from unittest.mock import patch

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from accounts.roles import Role
from core.audit import AuditEntry
from imports.demand import CleanColumns, read_demand_sheet_bulk
from procurement.demand.bulk import PartStream
from procurement.demand.models import DemandLine, DemandUpload
from procurement.demand.services import submit_bulk_demand
from tests.procurement.demand_fixtures import BEFORE, sheet

OFFICER = ("A", Role.PRICE_OFFICER)
HEADER = ["医院编码", "品种编码", "上年用量", "承诺年采购量", "原因"]
GOOD_ROWS = [["A-hospital", "YP101", 10, 9, None], ["A2-hospital", "YP101", 20, 16, None], ["A2-hospital", "YP102", 5, 4, None]]


def _counts(session) -> tuple[int, int, int]:
    """Rows in the demand tables and the audit log."""
    return tuple(session.exec(select(func.count()).select_from(m)).one() for m in (DemandUpload, DemandLine, AuditEntry))


@pytest.fixture(params=[16_384, 1], ids=["one part", "a part a row"])
def parts(request):
    """The reader's part size: the whole tiny file at once, or one row per part (hospitals run on)."""
    with patch("imports.reader.WINDOW_ROWS", request.param):
        yield request.param


@pytest.mark.parametrize(("rows", "codes"), [
    # every cell good and every hospital and item known, so the lines stream; the rules then refuse
    ([["A-hospital", "YP101", 10, 9, None], ["A2-hospital", "YP101", 20, 1, None]], ["below_floor"]),
    ([["A-hospital", "YP101", 10, 9, None], ["A-hospital", "YP102", 5, 4, None], ["A-hospital", "YP101", 10, 9, None]],
     ["duplicate", "duplicate"]),  # on PostgreSQL the COPY itself fails on the unique index: dropped all the same
    ([["A-hospital", "YP101", 10, 9, None], ["A2-hospital", "YP101", "很多", 16, None]], ["not_number"]),  # stops the stream
], ids=["below_floor", "duplicate", "bad cell after good rows"])
def test_a_file_refused_after_its_lines_began_streaming_writes_nothing(session, world, demand, parts, rows, codes):
    officer = world.actors[OFFICER]
    bulk = sheet(rows, HEADER)
    read = read_demand_sheet_bulk(bulk, filename="bad.xlsx")
    first = type(read.columns)(read.columns.rows[:1], [v[:1] for v in read.columns.values], read.columns.bad[:1])
    assert CleanColumns(()).of(first) is not None  # the first row streams
    before = _counts(session)
    rejected = submit_bulk_demand(session, officer, "DB1", bulk, "bad.xlsx", BEFORE)
    assert not rejected.accepted and [e.code for e in rejected.errors] == codes and rejected.error_count == len(codes)
    assert _counts(session) == before
    accepted = submit_bulk_demand(session, officer, "DB1", sheet(GOOD_ROWS, HEADER), "good.xlsx", BEFORE)
    assert accepted.accepted and accepted.versions == {"A-hospital": 1, "A2-hospital": 1} and accepted.rows == 3
    lines = session.exec(select(DemandLine.upload_id, DemandLine.last_year_use, DemandLine.committed)
                         .order_by(DemandLine.id)).all()
    assert [(last, done) for _u, last, done in lines] == [(10, 9), (20, 16), (5, 4)]
    assert [u for u, _l, _d in lines] == [accepted.upload_ids[0], accepted.upload_ids[1], accepted.upload_ids[1]]


def test_a_streamed_file_is_written_whole_with_its_row_counts_and_versions(session, world, demand, parts):
    officer = world.actors[OFFICER]
    first = submit_bulk_demand(session, officer, "DB1", sheet(GOOD_ROWS, HEADER), "one.xlsx", BEFORE)
    mixed = [GOOD_ROWS[1], ["A-hospital", "YP102", 7, 7, "说明"], GOOD_ROWS[2]]  # A2's rows on either side of A's
    again = submit_bulk_demand(session, officer, "DB1", sheet(mixed, HEADER), "two.xlsx", BEFORE)
    assert first.accepted and again.accepted and again.rows == 3
    assert again.versions == {"A2-hospital": 2, "A-hospital": 2} and list(again.versions) == ["A2-hospital", "A-hospital"]
    counts = dict(session.exec(select(DemandUpload.id, DemandUpload.row_count)).all())
    assert [counts[i] for i in first.upload_ids + again.upload_ids] == [1, 2, 2, 1]
    lines = session.exec(select(DemandLine.upload_id, DemandLine.committed, DemandLine.reason)
                         .where(DemandLine.upload_id.in_(again.upload_ids)).order_by(DemandLine.id)).all()
    a2, a = again.upload_ids
    assert [tuple(line) for line in lines] == [(a2, 16, None), (a, 7, "说明"), (a2, 4, None)]


def _postgres(session) -> None:
    if session.connection().dialect.name != "postgresql":
        pytest.skip("PartStream writes by COPY: PostgreSQL only")
    session.execute(text("CREATE TEMPORARY TABLE stream_scratch (n integer NOT NULL, label text)"))


def _as_rows(_conn, part):
    return part


def test_a_kept_stream_writes_every_part_in_the_transaction(session):
    _postgres(session)
    rows = [(n, None if n % 3 else f"第{n}行\t含制表符\\与换行\n") for n in range(10_000)]
    stream = PartStream(session, "stream_scratch", ("n", "label"), _as_rows)
    for at in range(0, len(rows), 3000):
        stream.put(rows[at:at + 3000])
    assert stream.keep() == 10_000
    found = session.execute(text("SELECT n, label FROM stream_scratch ORDER BY n")).all()
    assert [tuple(row) for row in found] == rows


def test_a_dropped_stream_stops_taking_rows_and_the_session_goes_on(session):
    _postgres(session)
    taken, total = 0, 3_000_000

    def rows(_conn, _part):
        nonlocal taken
        for n in range(total):
            taken += 1
            yield (n, "x")

    stream = PartStream(session, "stream_scratch", ("n", "label"), rows)
    stream.put(None)
    stream.put(None)
    stream.drop()
    assert taken < total  # it stopped part way through the first part, and never began the second
    session.rollback()  # what every caller does after a drop
    assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_failing_part_is_raised_when_kept_and_later_parts_are_not_written(session):
    _postgres(session)
    stream = PartStream(session, "stream_scratch", ("n", "label"), _as_rows)
    stream.put([(1, "a"), (None, "b")])
    stream.put([(2, "c")])
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the driver's own type
        stream.keep()
    assert type(caught.value).__name__ == "NotNullViolation" and stream.written == 0
    session.rollback()


def test_a_part_stream_is_for_postgresql_only(session):
    if session.connection().dialect.name == "postgresql":
        pytest.skip("SQLite's refusal")
    with pytest.raises(ValueError, match="PostgreSQL only"):
        PartStream(session, "demand_line", ("upload_id",), _as_rows)
