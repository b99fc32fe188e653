"""Deliveries from a supplier's ERP: all lines recorded in one transaction, or none with every
refused line named (the workbook upload's rule, through the same settlement use case)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from accounts.actor import Actor
from api.settlement.bodies import FieldsError, line_fields
from settlement.execution.deliveries import (
    DeliveryInput,
    SettlementRefused,
    check_deliveries,
    record_deliveries,
)

MAX_FIELD_ERRORS = 500


def record_lines(session: Session, actor: Actor, lines: Sequence[DeliveryInput], now: datetime) -> int:
    """Record the lines with source "api"; the count. A refusal names each refused line and
    field (:class:`FieldsError`); nothing is written then."""
    try:
        return record_deliveries(session, actor, lines, now, source="api")
    except SettlementRefused:
        session.rollback()
        contracts, problems = check_deliveries(session, actor, lines, now.date())
        if not problems:
            raise  # refused for a reason that is not about one line
    fields = line_fields(list(lines), set(contracts), problems)
    shown = dict(list(fields.items())[:MAX_FIELD_ERRORS])
    cut = len(fields) > len(shown)
    zh = f"{len(problems)} 行被拒绝，未记录任何发货" + (f"（列出前 {MAX_FIELD_ERRORS} 处）" if cut else "")
    en = f"{len(problems)} lines refused; nothing was recorded" + (f" (the first {MAX_FIELD_ERRORS} listed)" if cut else "")
    raise FieldsError("rejected", f"{zh} / {en}", shown)
