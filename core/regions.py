"""GB/T 2260 region codes: containment by prefix (``000000`` is the whole country)."""

from __future__ import annotations

NATIONAL = "000000"


def region_prefix(code: str) -> str:
    """The code prefix shared by everything inside a region ('' for the whole country)."""
    if code == NATIONAL:
        return ""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region_contains(outer: str, inner: str) -> bool:
    """True when region ``inner`` lies within (or is) region ``outer``."""
    return inner.startswith(region_prefix(outer))


def region_ancestors(code: str) -> list[str]:
    """The region itself, its city and province, and the country."""
    return sorted({code, code[:4] + "00", code[:2] + "0000", NATIONAL})
