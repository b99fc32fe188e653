"""The JSON contract: parse and validate an input document, run it, print the result.

Every error names the path of the offending field (``items[0].bids[2].ucp``). Money and
ratios must be decimal strings: JSON numbers are refused for them, because a float cannot
carry an exact price. See docs/optimizer-json.md for both formats.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from optimizer.encode import result_to_json
from optimizer.model import Anchor, Bid, Instance, Item, MaxWinners, Region, Rules, Tier

RULE_KEYS = {
    "fuse_multiple", "anchor", "half_mean_k", "reduction_safe_harbour", "absolute_safe_harbour",
    "max_winners", "agreed_ratio", "contract_years", "min_regions_per_winner", "max_share",
    "backup", "gradient", "time_limit_seconds", "gap", "solver",
}


class InputError(ValueError):
    """Malformed input, with the path of the field at fault."""

    def __init__(self, path: str, message: str) -> None:
        """Remember the path and build the message ``path: message``."""
        super().__init__(f"{path}: {message}")
        self.path = path


def _obj(value: Any, path: str, keys: set[str], required: set[str]) -> dict:
    """An object with only known keys and every required key."""
    if not isinstance(value, dict):
        raise InputError(path, "expected an object")
    for key in value:
        if key not in keys:
            raise InputError(f"{path}.{key}" if path else key, "unknown field")
    for key in sorted(required):
        if key not in value:
            raise InputError(f"{path}.{key}" if path else key, "missing field")
    return value


def _list(value: Any, path: str) -> list:
    """A JSON array."""
    if not isinstance(value, list):
        raise InputError(path, "expected an array")
    return value


def _str(value: Any, path: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, "expected a non-empty string")
    return value


def _int(value: Any, path: str, minimum: int = 0) -> int:
    """A whole number (not a boolean, not a float) ≥ minimum."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(path, f"expected a whole number, got {value!r}")
    if value < minimum:
        raise InputError(path, f"must be ≥ {minimum}, got {value}")
    return value


def _number(value: Any, path: str) -> float:
    """A non-negative JSON number (for the gap and the time limit, which are not money)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(path, f"expected a non-negative number, got {value!r}")
    return float(value)


def _dec(value: Any, path: str, places: int | None = None, positive: bool = True) -> Decimal:
    """A decimal string (refusing floats), optionally with at most ``places`` decimals."""
    if not isinstance(value, str):
        raise InputError(path, f'expected a decimal string such as "0.1234", got {value!r}')
    try:
        result = Decimal(value.strip())
    except InvalidOperation:
        raise InputError(path, f"not a decimal number: {value!r}") from None
    if not result.is_finite():
        raise InputError(path, f"not a finite number: {value!r}")
    if positive and result <= 0:
        raise InputError(path, f"must be > 0, got {value}")
    if places is not None and result != result.quantize(Decimal(1).scaleb(-places)):
        raise InputError(path, f"at most {places} decimal places, got {value}")
    return result


def _opt_dec(value: Any, path: str) -> Decimal | None:
    """A decimal string or null."""
    return None if value is None else _dec(value, path)


def _count_table(value: Any, path: str, parse) -> tuple[tuple[int, Any], ...]:
    """An object keyed by counts ("1", "2"…) whose values are parsed by ``parse``."""
    if not isinstance(value, dict) or not value:
        raise InputError(path, "expected a non-empty object keyed by counts")
    out = []
    for key, item in value.items():
        if not key.isdigit() or int(key) < 1:
            raise InputError(f"{path}.{key}", "key must be a whole number ≥ 1")
        out.append((int(key), parse(item, f"{path}.{key}")))
    return tuple(sorted(out))


def _max_winners(value: Any, path: str) -> MaxWinners:
    """``{"minus": m, "cap": c}`` or ``{"table": {...}, "cap": c}``."""
    data = _obj(value, path, {"minus", "table", "cap"}, {"cap"})
    cap = _int(data["cap"], f"{path}.cap", 1)
    if ("minus" in data) == ("table" in data):
        raise InputError(path, 'give exactly one of "minus" or "table"')
    if "minus" in data:
        return MaxWinners(minus=_int(data["minus"], f"{path}.minus"), cap=cap)
    table = _count_table(data["table"], f"{path}.table", lambda v, p: _int(v, p, 1))
    return MaxWinners(minus=None, table=table, cap=cap)


def _ratio(value: Any, path: str) -> Decimal:
    """A ratio in (0, 1]."""
    result = _dec(value, path)
    if result > 1:
        raise InputError(path, f"must be ≤ 1, got {value}")
    return result


def _floors(value: Any, path: str) -> tuple[Decimal, ...]:
    """A list of share floors by rank."""
    return tuple(_ratio(v, f"{path}[{i}]") for i, v in enumerate(_list(value, path)))


def parse_rules(value: Any, path: str = "rules") -> Rules:
    """The rule set; absent keys take the defaults of ``Rules``."""
    data = _obj(value, path, RULE_KEYS, set())
    d = Rules()
    kw: dict[str, Any] = {}
    for key in ("fuse_multiple", "half_mean_k"):
        if key in data:
            kw[key] = _dec(data[key], f"{path}.{key}")
    for key in ("reduction_safe_harbour", "absolute_safe_harbour"):
        if key in data:
            kw[key] = _opt_dec(data[key], f"{path}.{key}")
    if "max_share" in data:
        kw["max_share"] = None if data["max_share"] is None else _ratio(data["max_share"], f"{path}.max_share")
    if "anchor" in data:
        if data["anchor"] not in {a.value for a in Anchor}:
            raise InputError(f"{path}.anchor", 'expected "lowest" or "half_mean"')
        kw["anchor"] = Anchor(data["anchor"])
    if "max_winners" in data:
        kw["max_winners"] = _max_winners(data["max_winners"], f"{path}.max_winners")
    if "agreed_ratio" in data:
        kw["agreed_ratio"] = _count_table(data["agreed_ratio"], f"{path}.agreed_ratio", _ratio)
    if "contract_years" in data:
        kw["contract_years"] = _count_table(
            data["contract_years"], f"{path}.contract_years", lambda v, p: _int(v, p, 1)
        )
    if "min_regions_per_winner" in data:
        kw["min_regions_per_winner"] = _int(data["min_regions_per_winner"], f"{path}.min_regions_per_winner")
    if "backup" in data:
        if not isinstance(data["backup"], bool):
            raise InputError(f"{path}.backup", "expected true or false")
        kw["backup"] = data["backup"]
    if data.get("gradient") is not None:
        kw["gradient"] = _count_table(data["gradient"], f"{path}.gradient", _floors)
    if "time_limit_seconds" in data:
        kw["time_limit_seconds"] = _number(data["time_limit_seconds"], f"{path}.time_limit_seconds") or d.time_limit_seconds
    if "gap" in data:
        kw["gap"] = _number(data["gap"], f"{path}.gap")
    if "solver" in data:
        if data["solver"] not in ("highs", "cbc"):
            raise InputError(f"{path}.solver", 'expected "highs" or "cbc"')
        kw["solver"] = data["solver"]
    return Rules(**kw)


def _bid(value: Any, path: str) -> Bid:
    """One bid, with its tiers validated (more volume never raises the price)."""
    data = _obj(value, path, {"supplier", "ucp", "capacity", "submitted_at", "tiers"},
                {"supplier", "ucp", "capacity", "submitted_at"})
    ucp = _dec(data["ucp"], f"{path}.ucp", 4)
    stamp = _str(data["submitted_at"], f"{path}.submitted_at")
    try:
        submitted = datetime.fromisoformat(stamp)
    except ValueError:
        raise InputError(f"{path}.submitted_at", f"not an ISO 8601 date-time: {stamp!r}") from None
    if submitted.tzinfo is None:
        raise InputError(f"{path}.submitted_at", "needs a UTC offset, e.g. +08:00")
    tiers = []
    for i, t in enumerate(_list(data.get("tiers", []), f"{path}.tiers")):
        tp = f"{path}.tiers[{i}]"
        t = _obj(t, tp, {"min_volume", "ucp"}, {"min_volume", "ucp"})
        tiers.append(Tier(_int(t["min_volume"], f"{tp}.min_volume", 1), _dec(t["ucp"], f"{tp}.ucp", 4)))
    tiers.sort(key=lambda t: t.min_volume)
    last = (0, ucp)
    for i, t in enumerate(tiers):
        if t.min_volume == last[0] or t.ucp > last[1]:
            raise InputError(f"{path}.tiers", f"tier {i}: more volume must never raise the price")
        last = (t.min_volume, t.ucp)
    return Bid(_str(data["supplier"], f"{path}.supplier"), ucp,
               _int(data["capacity"], f"{path}.capacity"), submitted, tuple(tiers))


def _region(value: Any, path: str) -> Region:
    """One region with its reported demand."""
    data = _obj(value, path, {"code", "demand", "pinned_supplier"}, {"code", "demand"})
    pin = data.get("pinned_supplier")
    return Region(_str(data["code"], f"{path}.code"), _int(data["demand"], f"{path}.demand"),
                  None if pin is None else _str(pin, f"{path}.pinned_supplier"))


def _unique(codes: list[str], path: str, what: str) -> None:
    """Refuse duplicate codes within one list."""
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            raise InputError(f"{path}[{i}]", f"duplicate {what} {code!r}")
        seen.add(code)


def parse_item(value: Any, path: str) -> Item:
    """One item: code, maximum valid price, regions and bids."""
    data = _obj(value, path, {"code", "max_valid_price", "regions", "bids"},
                {"code", "max_valid_price", "regions", "bids"})
    regions = [_region(r, f"{path}.regions[{i}]") for i, r in enumerate(_list(data["regions"], f"{path}.regions"))]
    bids = [_bid(b, f"{path}.bids[{i}]") for i, b in enumerate(_list(data["bids"], f"{path}.bids"))]
    _unique([r.code for r in regions], f"{path}.regions", "region")
    _unique([b.supplier for b in bids], f"{path}.bids", "supplier")
    return Item(_str(data["code"], f"{path}.code"), _dec(data["max_valid_price"], f"{path}.max_valid_price", 4),
                tuple(regions), tuple(bids))


def parse_instance(value: Any) -> Instance:
    """A whole input document: ``{"rules": {...}, "items": [...]}``."""
    data = _obj(value, "", {"rules", "items"}, {"rules", "items"})
    items = [parse_item(it, f"items[{i}]") for i, it in enumerate(_list(data["items"], "items"))]
    _unique([it.code for it in items], "items", "item code")
    return Instance(parse_rules(data["rules"]), tuple(items))


def run_json_file(
    path: str, stdout: IO[str], stderr: IO[str], *, workers: int = 1, with_clearing: bool = False
) -> int:
    """Solve the instance in ``path``; print the result JSON. Exit code 0, or 2 on bad input."""
    from optimizer.evaluate import solve_instance

    try:
        with open(path, encoding="utf-8") as fh:
            document = json.load(fh)
        instance = parse_instance(document)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or exc}", file=stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"error: {path} is not valid JSON: {exc}", file=stderr)
        return 2
    except InputError as exc:
        print(f"error: invalid input: {exc}", file=stderr)
        return 2
    result = solve_instance(instance, workers=workers, record=with_clearing)
    json.dump(result_to_json(result, with_clearing), stdout, ensure_ascii=False, indent=2)
    stdout.write("\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m optimizer.jsonio INSTANCE.json [--clearing] [--workers N]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    with_clearing = "--clearing" in args
    args = [a for a in args if a != "--clearing"]
    workers = 1
    if "--workers" in args:
        at = args.index("--workers")
        workers = int(args[at + 1])
        del args[at : at + 2]
    if len(args) != 1:
        print("usage: python -m optimizer.jsonio INSTANCE.json [--clearing] [--workers N]", file=sys.stderr)
        return 2
    return run_json_file(args[0], sys.stdout, sys.stderr, workers=workers, with_clearing=with_clearing)


if __name__ == "__main__":
    sys.exit(main())
