"""The rules of the direct-settlement scope (pure): the phases, which version is in force for a
region on a day, the spans of a month, and the distributor's fee share.

Phases widen in order (domain: 直接结算全覆盖): ``national`` — the products selected in national
VBP batches; ``provincial`` — and those of provincial (and alliance) batches; ``common`` — and the
commonly used listed products of the version's named list; ``all`` — every listed product.
Before any version, a region is at ``provincial`` (every VBP-selected product settled by the
fund, everything else by the hospital: the platform's rule before the setting existed).

**The version in force** for a region on a day: the region's own city version in force then
(the latest ``effective_from`` not after the day, the later version on the same day), else its
province's, else the default — a city's own setting wins over its province's, as a result's
city row does (``results/``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.regions import region_prefix


class Phase(StrEnum):
    """How far direct settlement reaches, narrowest first."""

    NATIONAL = "national"  # 国家集采中选产品
    PROVINCIAL = "provincial"  # + 省级（联盟）集采中选产品
    COMMON = "common"  # + 常用挂网产品（目录）
    ALL = "all"  # 全部挂网产品


ORDER = tuple(Phase)
DEFAULT = Phase.PROVINCIAL
MAX_BPS = 10_000


@dataclass(frozen=True)
class Version:
    """A scope version as the rules read it."""

    id: int | None
    region_code: str
    effective_from: date
    phase: Phase
    distributor_bps: int = 0


def reaches(phase: Phase, wanted: Phase) -> bool:
    """Whether ``phase`` includes everything ``wanted`` does."""
    return ORDER.index(Phase(phase)) >= ORDER.index(Phase(wanted))


def settles_listed(phase: Phase) -> bool:
    """Whether the phase settles any product outside VBP (the common list, or all)."""
    return reaches(phase, Phase.COMMON)


def chain(region_code: str) -> tuple[str, str]:
    """The (city, province) codes whose versions apply to a region."""
    return region_code[:4] + "00", region_code[:2] + "0000"


def settable(region_code: str) -> bool:
    """Whether a scope may be set for the region: a province or a city (not a district, not the country)."""
    return len(region_code) == 6 and region_code.isdigit() and region_code.endswith("00") \
        and region_prefix(region_code) != ""


def in_force(versions: Iterable[Version], region_code: str, day: date) -> Version | None:
    """The version in force for ``region_code`` on ``day`` (None: the default)."""
    city, province = chain(region_code)
    best: dict[str, Version] = {}
    for v in versions:
        if v.region_code in (city, province) and v.effective_from <= day:
            held = best.get(v.region_code)
            if held is None or (v.effective_from, v.id or 0) > (held.effective_from, held.id or 0):
                best[v.region_code] = v
    return best.get(city) or best.get(province)


@dataclass(frozen=True)
class Span:
    """Days ``[lo, hi)`` of a region under one version (None: the default)."""

    region_code: str
    lo: date
    hi: date
    version: Version | None

    @property
    def phase(self) -> Phase:
        """The phase in force on the span."""
        return self.version.phase if self.version else DEFAULT


def spans(versions: list[Version], region_code: str, lo: date, hi: date) -> list[Span]:
    """The days ``[lo, hi)`` of a region cut where the version in force changes."""
    cuts = sorted({lo, hi} | {v.effective_from for v in versions
                              if v.region_code in chain(region_code) and lo < v.effective_from < hi})
    out: list[Span] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        v = in_force(versions, region_code, start)
        if out and out[-1].version == v:
            out[-1] = Span(region_code, out[-1].lo, end, v)
        else:
            out.append(Span(region_code, start, end, v))
    return out


def month_days(month: str) -> tuple[date, date]:
    """The first day of ``YYYY-MM`` and the first day of the next month."""
    start = date.fromisoformat(f"{month}-01")
    return start, (start + timedelta(days=32)).replace(day=1)


def distributor_fee(amount_fen: int, bps: int) -> int:
    """The distributor's share of ``amount_fen`` at ``bps`` basis points, half up (exact integers;
    the supplier is paid the rest, so the two add up to the amount)."""
    if not 0 <= bps <= MAX_BPS:
        raise ValueError(f"distributor share must be 0–{MAX_BPS} basis points: {bps}")
    return (amount_fen * bps + 5000) // 10000
