"""``flask demand import``: exit codes, one-line summary, errors on stderr, annotated workbook."""

from openpyxl import load_workbook
from sqlmodel import select

from procurement.demand.models import DemandUpload
from tests.procurement.demand_fixtures import GOOD, sheet


def test_cli_applies_a_clean_workbook(app, db, demand, tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(GOOD)
    result = app.test_cli_runner().invoke(args=["demand", "import", "DB1", "A-hospital", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "applied DB1 A-hospital: version 1, 2 rows"
    with db.read_session() as s:
        upload = s.exec(select(DemandUpload)).one()
        assert upload.on_behalf and upload.uploaded_by is None


def test_cli_rejects_with_errors_on_stderr_and_writes_the_marked_workbook(app, db, demand, tmp_path):
    path, out = tmp_path / "bad.xlsx", tmp_path / "marked.xlsx"
    path.write_bytes(sheet([["YP101", 100, -1, None, None]]))
    result = app.test_cli_runner().invoke(args=["demand", "import", "DB1", "A-hospital", str(path),
                                                "--errors-out", str(out)])
    assert result.exit_code == 1
    assert "上传未被接受" in result.stderr and "报量!C2" in result.stderr and result.stdout == ""
    assert load_workbook(out)["报量"]["C2"].comment is not None
    with db.read_session() as s:
        assert s.exec(select(DemandUpload)).all() == []


def test_cli_refuses_unknown_batch_and_non_workbooks(app, demand, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["demand", "import", "NOPE", "A-hospital", str(path)])
    assert unknown.exit_code == 2 and "no such batch" in unknown.stderr
    text = runner.invoke(args=["demand", "import", "DB1", "A-hospital", str(path), "--errors-out", str(tmp_path / "x.xlsx")])
    assert text.exit_code == 1 and ".xlsx" in text.stderr and not (tmp_path / "x.xlsx").exists()


def test_cli_bulk_import(app, demand, tmp_path):
    path = tmp_path / "bulk.xlsx"
    path.write_bytes(sheet([["A-hospital", "YP101", 10, 9], ["A3-hospital", "YP102", 4, 4]],
                           header=["医院编码", "品种编码", "上年用量", "承诺年采购量"]))
    result = app.test_cli_runner().invoke(args=["demand", "import-bulk", "DB1", str(path)])
    assert result.exit_code == 0 and result.output.strip() == "applied DB1: 2 hospitals, 2 rows"
