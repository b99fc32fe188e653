"""Listing workbook upload: read, check every row with the listing service, list all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from accounts.actor import Actor
from imports.errors import CellError, ErrorSink
from imports.xlsx_guard import with_max_rows
from listing.services import ProductInput, submit_listings
from listing.workbook import LISTING_LIMITS, cell_error, read_listing_workbook


@dataclass(frozen=True)
class UploadResult:
    """Products listed (0 when refused) and the cell errors of a refused workbook."""

    listed: int
    errors: tuple[CellError, ...]
    error_count: int = 0


def upload_listings(session: Session, actor: Actor, data: bytes, filename: str, now: datetime, *,
                    max_rows: int | None = None) -> UploadResult:
    """Submit a listing workbook; any bad row refuses the whole file (nothing written)."""
    parsed = read_listing_workbook(data, filename=filename, limits=with_max_rows(LISTING_LIMITS, max_rows))
    errors = ErrorSink()
    errors.absorb(parsed.errors, parsed.error_count)
    if errors.count:
        return UploadResult(0, errors.listed(), errors.count)
    items = [ProductInput(**r.values) for r in parsed.rows]
    products, problems = submit_listings(session, actor, items, now)
    for n, field, why in problems:
        row = parsed.rows[min(n, len(parsed.rows) - 1)]
        errors.add(cell_error(parsed.read, row.row, field, row.values.get(field), str(why), why.english(),
                              "refused"))
    if errors.count:
        return UploadResult(0, errors.listed(), errors.count)
    return UploadResult(len(products), ())
