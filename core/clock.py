"""The one source of 'now' (aware UTC datetimes; tests pass explicit times to services), and
how a time is named to people: in the bureau's zone, with the zone said."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_shift = timedelta(0)  # moved only by :func:`moved_to` (tests driving the running app at later dates)


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC (moved by :func:`moved_to` while one is active)."""
    return datetime.now(UTC) + _shift


@contextmanager
def moved_to(when: datetime) -> Iterator[None]:
    """Run the process's clock as if it were ``when`` (aware) and on from there, until the block
    ends: a browser journey lets the served app live through a multi-year cycle without writing
    any row by hand. Production code never calls this; nested blocks restore the outer time."""
    global _shift
    if when.tzinfo is None:
        raise ValueError("moved_to needs an aware datetime")
    before = _shift
    _shift = when - datetime.now(UTC)
    try:
        yield
    finally:
        _shift = before


ZONE_NAMES = {"Asia/Shanghai": ("北京时间", "Beijing time"), "UTC": ("UTC", "UTC")}


def local_text(value: datetime, tz_name: str) -> tuple[str, str]:
    """An aware time in the bureau's zone with the zone named, Chinese and English:
    ``("2026-12-01 17:00 (北京时间)", "2026-12-01 17:00 (Beijing time)")``.

    Zones without a Chinese name are named by their IANA key and UTC offset.
    """
    local = value.astimezone(ZoneInfo(tz_name))
    shown = local.strftime("%Y-%m-%d %H:%M")
    offset = local.strftime("%z")
    zh, en = ZONE_NAMES.get(tz_name, (f"{tz_name}, UTC{offset[:3]}:{offset[3:]}",) * 2)
    return f"{shown} ({zh})", f"{shown} ({en})"


def local_stamp(value: datetime, tz_name: str = "Asia/Shanghai") -> str:
    """An aware time in the bureau's zone with its UTC offset, the same in every language:
    ``"2026-12-01 17:00 UTC+08:00"`` (for messages whose Chinese and English share a value)."""
    local = value.astimezone(ZoneInfo(tz_name))
    offset = local.strftime("%z")
    return f"{local.strftime('%Y-%m-%d %H:%M')} UTC{offset[:3]}:{offset[3:]}"


BUREAU_ZONE = "Asia/Shanghai"


def local_day(value: datetime, tz_name: str = BUREAU_ZONE) -> date:
    """The bureau's calendar day at an aware time: 2026-05-31 17:00 UTC is 2026-06-01 in Beijing.
    Every rule worded in days (today, a deadline, a validity) turns ``now`` into a day here, never
    by ``now.date()``, which is the UTC day and wrong for eight hours of every Beijing morning."""
    return value.astimezone(ZoneInfo(tz_name)).date()
