"""Delivery workbook upload: read, check every row against the supplier's contracts, record all
or nothing (one bulk insert, one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from accounts.actor import Actor
from imports.errors import CellError
from imports.reader import ErrorSink
from imports.xlsx_guard import with_max_rows
from settlement.execution.deliveries import DeliveryInput, check_deliveries, record_deliveries
from settlement.execution.workbook import DELIVERY_LIMITS, cell_error, read_delivery_workbook


@dataclass(frozen=True)
class UploadResult:
    """Lines recorded (0 when refused) and the cell errors of a refused workbook (capped, with a
    "more" line; ``error_count`` counts them all)."""

    recorded: int
    errors: tuple[CellError, ...]
    error_count: int = 0


def upload_deliveries(session: Session, actor: Actor, data: bytes, filename: str, now: datetime, *,
                      max_rows: int | None = None) -> UploadResult:
    """Record a delivery workbook; any bad row refuses the whole file (nothing written).
    ``max_rows``: the deployment's row limit for a delivery workbook (None: the default)."""
    parsed = read_delivery_workbook(data, filename=filename, limits=with_max_rows(DELIVERY_LIMITS, max_rows))
    lines = [DeliveryInput(r.contract_code, r.quantity, r.shipped_on, r.supplier_ref) for r in parsed.rows]
    errors = ErrorSink()
    errors.absorb(parsed.errors, parsed.error_count)
    if lines:
        _contracts, problems = check_deliveries(session, actor, lines, now.date())
        for n, why in problems:
            zh, _sep, en = why.partition(" / ")
            key = "contract_code" if "合同" in zh else ("shipped_on" if "日期" in zh else "quantity")
            row = parsed.rows[n]
            errors.add(cell_error(parsed.read, row.row, key, getattr(row, key), zh, en, "refused"))
        seen: dict[tuple[str, str], int] = {}
        for r in parsed.rows:
            if r.supplier_ref:
                key = (r.contract_code, r.supplier_ref)
                if key in seen:
                    errors.add(cell_error(parsed.read, r.row, "supplier_ref", r.supplier_ref,
                                             f"与第{seen[key]}行重复", f"duplicate of row {seen[key]}", "duplicate"))
                seen.setdefault(key, r.row)
    if errors.count:
        session.rollback()
        return UploadResult(0, errors.listed(), errors.count)
    return UploadResult(record_deliveries(session, actor, lines, now, source="workbook"), ())
