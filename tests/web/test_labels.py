"""Stored codes are shown as Chinese-first labels (English when switched), never raw."""

import pytest
from flask import render_template_string
from flask_babel import force_locale

from accounts.roles import OrgKind, Role
from bidding.pricing import RefusalCode
from optimizer.model import Reason, Status
from procurement.lifecycle import BatchStatus
from settlement.execution.refunds import RECEIVED, REQUESTED
from settlement.money.data import InstructionStatus
from settlement.payments.reissue import ReissueStatus
from web.labels import LABELS, label


@pytest.mark.parametrize(("group", "codes"), [
    ("batch", [s.value for s in BatchStatus]),
    ("instruction", [s.value for s in InstructionStatus]),
    ("run", ["computed", "approved", "released"]),
    ("reconcile", ["pending", "confirmed", "disputed"]),
    ("reissue", [s.value for s in ReissueStatus]),
    ("source", ["form", "workbook", "api"]),
    ("ledger", ["advance", "offset"]),
    ("refund", [REQUESTED, RECEIVED]),
    ("evaluation", ["queued", "running", "done", "failed"]),
    ("item_result", [s.value for s in Status]),
    ("outcome", [r.value for r in Reason]),
    ("refusal", [c.value for c in RefusalCode] + ["receipt_mismatch"]),
    ("bid", ["live", "superseded", "withdrawn"]),
    ("contract", ["unsigned", "signed"]),
    ("org_kind", [k.value for k in OrgKind]),
    ("role", [r.value for r in Role]),
])
def test_every_stored_code_has_a_label(group, codes):
    assert sorted(set(codes) - set(LABELS[group])) == []


def test_labels_are_chinese_by_default_and_english_when_switched(app):
    with app.test_request_context():
        assert label("paid", "instruction") == "已支付"
        assert label("failed", "instruction") == "支付失败"
        assert label("computed", "run") == "已计算，待复核"
        assert label("disputed", "reconcile") == "有异议"
        assert label("workbook", "source") == "Excel 工作簿"
        assert label(BatchStatus.EXECUTION, "batch") == "执行中"
        with force_locale("en"):
            assert label("paid", "instruction") == "Paid"
            assert label("released", "run") == "Bank files released"


def test_unknown_codes_show_as_themselves_and_unknown_groups_fail(app):
    with app.test_request_context():
        assert label("on_hold", "instruction") == "on_hold"
        assert label(None, "instruction") == "—"
        assert label("", "run") == "—"
    with pytest.raises(KeyError):
        label("paid", "no_such_group")


def test_the_template_filter_renders_the_label_and_keeps_the_code(app):
    with app.test_request_context():
        html = render_template_string('<td data-status="{{ s }}">{{ s|label("instruction") }}</td>', s="reissued")
    assert html == '<td data-status="reissued">重新发起</td>'


def test_every_label_has_its_own_chinese_text(app):
    with app.test_request_context():
        with force_locale("en"):
            english = {(group, code): str(text) for group, texts in LABELS.items() for code, text in texts.items()}
        untranslated = [key for key, en in english.items() if label(key[1], key[0]) == en]
    assert untranslated == []
