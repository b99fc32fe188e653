"""Column types that keep values exact across SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC; naive values are refused on write."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Convert an aware datetime to UTC (naive UTC on SQLite, which has no time zones)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware values only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Return every datetime as aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DecimalText(TypeDecorator):
    """A Decimal kept as its exact text (strengths, ratios); never passes through a float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | str | None, dialect) -> str | None:
        """Store the canonical text of the Decimal."""
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("DecimalText refuses floats")
        return str(Decimal(value))

    def process_result_value(self, value: str | None, dialect) -> Decimal | None:
        """Read the text back as a Decimal."""
        return None if value is None else Decimal(value)
