"""Bank return files: good rows, row errors, file errors, and nothing but our own error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.money.data import InstructionStatus
from settlement.payments.bankreturns import BankReturnError, parse_bank_return


def test_chinese_headers_any_order_extra_columns_and_bom() -> None:
    content = (
        "\ufeff银行流水号,状态,失败原因,指令编号\r\n"
        "X1,成功,,R-000001\r\n"
        "\r\n"
        "X2, 失败 ,账户已销户,R-000002 \r\n"
    ).encode()
    result = parse_bank_return(content)
    assert result.ok
    assert [(r.row, r.reference, r.status, r.reason) for r in result.rows] == [
        (2, "R-000001", InstructionStatus.PAID, ""),
        (4, "R-000002", InstructionStatus.FAILED, "账户已销户"),
    ]


def test_english_headers_gb18030_and_full_width() -> None:
    content = "EndToEndId,Status,Reason\nＲ-０００００１,PAID,\nR-000002,failed,closed\n".encode(
        "gb18030"
    )
    result = parse_bank_return(content)
    assert [(r.reference, r.status) for r in result.rows] == [
        ("R-000001", InstructionStatus.PAID),
        ("R-000002", InstructionStatus.FAILED),
    ]
    gbk = "指令编号,状态\nR-1,成功\n".encode("gb18030")
    assert parse_bank_return(gbk).rows[0].status == InstructionStatus.PAID


def test_bad_rows_are_reported_by_row_column_and_value() -> None:
    content = (
        "reference,status,reason\n"
        "R-1,paid,\n"
        ",paid,\n"
        "R-2,maybe,\n"
        "R-1,failed,x\n"
        f"{'R' * 36},paid,\n"
        "R-9,paid,\n"
    ).encode()
    result = parse_bank_return(content, known_references={"R-1", "R-2"})
    assert not result.ok
    assert [r.reference for r in result.rows] == ["R-1"]
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "reference", ""),
        (4, "status", "maybe"),
        (5, "reference", "R-1"),
        (6, "reference", "R" * 36),
        (7, "reference", "R-9"),
    ]
    assert "duplicate of row 2" in result.errors[2].message
    assert "unknown instruction" in result.errors[4].message
    assert all(" / " in e.message for e in result.errors)  # Chinese / English


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text"),
        (b"\xff\xfe\xfa", "encoding"),
        (b"reference,reason\nR-1,x\n", "missing column: status"),
        (b"status,reason\npaid,x\n", "missing column: reference"),
        (b"reference,status,EndToEndId\nR,paid,R\n", "duplicate column"),
        (b"reference,status\n", "no data rows"),
        (b'reference,status\n"R-1,paid\n', "malformed"),
    ],
)
def test_unreadable_files_raise_our_error(content: bytes, message: str) -> None:
    with pytest.raises(BankReturnError, match=message):
        parse_bank_return(content)


def test_not_bytes_is_our_error() -> None:
    with pytest.raises(BankReturnError):
        parse_bank_return("reference,status\nR,paid\n")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.lists(
                st.sampled_from(
                    ["reference", "status", "成功", "失败", "R-1", "", '"', ",", "\n", "\x00", "ｘ"]
                ),
                max_size=5,
            ),
            max_size=6,
        ).map(lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8")),
    )
)
def test_never_raises_anything_but_its_own_error(content: bytes) -> None:
    try:
        result = parse_bank_return(content)
    except BankReturnError:
        return
    assert len(result.rows) + len(result.errors) > 0
