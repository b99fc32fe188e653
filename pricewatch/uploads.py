"""Other provinces' prices from a workbook: read, check every row, store all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from accounts.actor import Actor
from imports.errors import CellError, ErrorSink
from imports.xlsx_guard import with_max_rows
from pricewatch.alerts import ProvincePriceInput, add_province_prices, check_province_price
from pricewatch.workbook import PROVINCE_LIMITS, cell_error, read_province_workbook


@dataclass(frozen=True)
class UploadResult:
    """Prices stored (0 when refused) and the cell errors of a refused workbook."""

    stored: int
    errors: tuple[CellError, ...]
    error_count: int = 0


def upload_province_prices(session: Session, actor: Actor, data: bytes, filename: str, now: datetime, today: date,
                           *, max_rows: int | None = None) -> UploadResult:
    """Store a workbook of other provinces' prices; any bad row refuses the whole file."""
    parsed = read_province_workbook(data, filename=filename, limits=with_max_rows(PROVINCE_LIMITS, max_rows))
    errors = ErrorSink()
    errors.absorb(parsed.errors, parsed.error_count)
    inputs = [ProvincePriceInput(r.product_code, r.province, r.price_e4, r.observed_on, r.source) for r in parsed.rows]
    for row, item in zip(parsed.rows, inputs, strict=True):
        for field, why in check_province_price(session, actor, item, today):
            key = {"price": "price", "observed_on": "observed_on", "province": "province"}.get(field, "product_code")
            errors.add(cell_error(parsed.read, row.row, key, getattr(row, key, ""), str(why), why.english(), "refused"))
    if errors.count:
        return UploadResult(0, errors.listed(), errors.count)
    return UploadResult(len(add_province_prices(session, actor, inputs, now, today)), ())
