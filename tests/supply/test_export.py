"""The supply and credit lists as workbooks: every row of the list (not only its page), figures
as numbers, dates as dates, and hostile text neutralised by core.export."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlmodel import select

from core.paging import FIRST_PAGE, every_row
from credit import services as credit
from credit.export import breaches_workbook, ratings_workbook, repairs_workbook
from credit.lists import breach_page, rating_page, repair_page
from procurement.models import Batch
from supply import services
from supply.export import problems_workbook, takeovers_workbook
from supply.lists import problem_page, takeover_page
from supply.models import ProblemKind

T = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


def _label(code, group):
    return f"[{group}:{code}]"


def _cells(data: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]


def test_every_problem_and_takeover_is_exported_and_hostile_text_is_neutralised(session, ex):
    contract = ex.contract(session, "370100")
    for n in range(3):
        services.report_problem(session, ex.hospitals["370100"], services.ProblemInput(
            contract.id, ProblemKind.SHORT, date(2026, 5, 2), "=HYPERLINK(\"http://x\")", 100, 40 + n), T)
    rows = every_row(lambda q: problem_page(session, ex.officer, q), FIRST_PAGE)
    assert len(rows) == 3
    cells = _cells(problems_workbook(rows, _label))
    assert len(cells) == 4 and cells[1][5] == "[supply_problem:short]"
    assert sorted(r[8] for r in cells[1:]) == [40, 41, 42]  # numbers stay numbers
    assert all(r[9] == "'=HYPERLINK(\"http://x\")" for r in cells[1:])  # formula neutralised
    inp = services.TakeoverInput("YP101", "A-supplier", ("370100",), date(2026, 5, 1), None, None, "@SUM(A1)")
    services.propose_takeover(session, ex.officer, ex.code, inp, T)
    batch = session.exec(select(Batch).where(Batch.code == ex.code)).one()
    cells = _cells(takeovers_workbook(every_row(lambda q: takeover_page(session, ex.officer, batch, q), FIRST_PAGE),
                                      _label))
    assert cells[1][8] == "[takeover:proposed]" and cells[1][9] == "'@SUM(A1)" and isinstance(cells[1][6], datetime)


def test_breaches_ratings_and_repairs_are_exported(session, world, ex):
    supplier = ex.orgs["A-supplier"]
    breach = credit.record_breach(session, ex.officer, credit.BreachInput(
        supplier.id, "supply_failure", date(2026, 5, 1), "+1 未配送", ("a.pdf", b"%PDF-1.4"), None), T)
    credit.decide_breach(session, ex.officer, breach.id, True, "确认", datetime(2026, 5, 25, tzinfo=UTC))
    rating = credit.propose_rating(session, ex.officer, supplier.id, datetime(2026, 5, 26, tzinfo=UTC))
    credit.decide_rating(session, ex.officer2, rating.id, True, "", datetime(2026, 5, 26, 1, tzinfo=UTC))
    credit.apply_repair(session, ex.failed, rating.id, "-承诺整改", datetime(2026, 6, 1, tzinfo=UTC))
    b = _cells(breaches_workbook(every_row(lambda q: breach_page(session, ex.officer, q), FIRST_PAGE), _label))
    r = _cells(ratings_workbook(every_row(lambda q: rating_page(session, ex.officer, q), FIRST_PAGE), _label))
    a = _cells(repairs_workbook(every_row(lambda q: repair_page(session, ex.failed, q), FIRST_PAGE), _label))
    assert (b[1][0], b[1][4], b[1][8]) == (breach.reference, "'+1 未配送", "[breach:confirmed]")
    assert r[1][3:6] == ["[grade:serious]", "[consequence:suspension]", "[rating:published]"]
    assert (a[1][2], a[1][4]) == ("'-承诺整改", "[repair:applied]")
    assert every_row(lambda q: repair_page(session, world.actors[("B", "supplier_rep")], q), FIRST_PAGE) == []
