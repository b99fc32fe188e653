"""JSON bodies of the order endpoints read into order inputs (pure). Quantities are whole packs
(JSON integers or digit strings); a price is a decimal string, never a JSON float."""

from __future__ import annotations

from orders.delivery import ShipInput
from orders.rules import MAX_LINES
from orders.services import LineInput, OrderInput

ORDER_KEYS = {"distributor", "lines", "note", "ref"}
LINE_KEYS = {"product", "quantity", "price"}


class FieldsError(ValueError):
    """The body is malformed; ``fields`` names each problem."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid body")
        self.fields = fields


def _text(value: object, where: str, problems: dict[str, str], required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems[where] = "须为文本 / must be text" if not isinstance(value, str) else "必填 / required"
        return ""
    return value


def _packs(value: object, where: str, problems: dict[str, str]) -> str | int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems[where] = "须为整数包装数 / must be a whole number of packs"
        return ""
    return value


def _order(entry: object, where: str, problems: dict[str, str]) -> OrderInput | None:
    pre = f"{where}." if where else ""
    if not isinstance(entry, dict) or set(entry) - ORDER_KEYS or not {"distributor", "lines"} <= set(entry):
        problems[where or "body"] = "须为含 distributor 与 lines 的对象 / an object with distributor and lines"
        return None
    if not isinstance(entry["lines"], list) or not entry["lines"]:
        problems[f"{pre}lines"] = "需要非空的 lines 数组 / a non-empty lines array is required"
        return None
    lines = []
    for j, line in enumerate(entry["lines"]):
        at = f"{pre}lines[{j}]"
        if not isinstance(line, dict) or set(line) - LINE_KEYS or not {"product", "quantity"} <= set(line):
            problems[at] = "须为含 product 与 quantity 的对象 / an object with product and quantity"
            continue
        price = line.get("price")
        if isinstance(price, int) and not isinstance(price, bool):
            price = str(price)
        lines.append(LineInput(_text(line["product"], f"{at}.product", problems),
                               _packs(line["quantity"], f"{at}.quantity", problems),
                               _text(price, f"{at}.price", problems, required=False)))
    return OrderInput(_text(entry["distributor"], f"{pre}distributor", problems), lines,
                      _text(entry.get("note"), f"{pre}note", problems, required=False),
                      _text(entry.get("ref"), f"{pre}ref", problems, required=False)[:60])


def orders_of(body: object, *, many: bool) -> tuple[list[OrderInput], bool]:
    """One order (``{distributor, lines, note?, ref?, send?}``) or, with ``many``, ``{"orders":
    [...], "send"?}``; returns the orders and whether to send them."""
    if not isinstance(body, dict):
        raise FieldsError({"body": "须为 JSON 对象 / must be a JSON object"})
    send = body.get("send", False)
    problems: dict[str, str] = {}
    if not isinstance(send, bool):
        problems["send"] = "须为 true 或 false / must be true or false"
    if many:
        entries = body.get("orders")
        if not isinstance(entries, list) or not entries or set(body) - {"orders", "send"}:
            raise FieldsError({"orders": "需要非空的 orders 数组 / a non-empty orders array is required"})
        if sum(len(e.get("lines") or []) if isinstance(e, dict) and isinstance(e.get("lines"), list) else 1
               for e in entries) > MAX_LINES:
            raise FieldsError({"orders": f"一次最多 {MAX_LINES} 行 / at most {MAX_LINES} lines per request"})
        found = [_order(e, f"orders[{k}]", problems) for k, e in enumerate(entries)]
    else:
        found = [_order({k: v for k, v in body.items() if k != "send"}, "", problems)]
    if problems:
        raise FieldsError(problems)
    return [o for o in found if o is not None], bool(send)


def _line_id(value: object, where: str, problems: dict[str, str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        problems[where] = "须为订单行编号 / must be an order line id"
        return 0
    return value


def decisions_of(body: object) -> list[tuple[int, bool, str]]:
    """``{"lines": [{"line": id, "confirm": bool, "reason"?}]}`` as (line id, confirm, reason)."""
    entries = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries or len(entries) > MAX_LINES:
        raise FieldsError({"lines": "需要非空的 lines 数组 / a non-empty lines array is required"})
    problems: dict[str, str] = {}
    out = []
    for k, entry in enumerate(entries):
        at = f"lines[{k}]"
        if not isinstance(entry, dict) or set(entry) - {"line", "confirm", "reason"} or not isinstance(
                entry.get("confirm"), bool):
            problems[at] = "须为含 line 与 confirm（布尔）的对象 / an object with line and confirm (boolean)"
            continue
        out.append((_line_id(entry.get("line"), f"{at}.line", problems), entry["confirm"],
                    _text(entry.get("reason"), f"{at}.reason", problems, required=False)))
    if problems:
        raise FieldsError(problems)
    return out


def shipment_of(body: object) -> list[ShipInput]:
    """``{"lines": [{"line": id, "quantity", "lot_no", "expiry_on": "YYYY-MM-DD"}]}``."""
    entries = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries or len(entries) > MAX_LINES:
        raise FieldsError({"lines": "需要非空的 lines 数组 / a non-empty lines array is required"})
    problems: dict[str, str] = {}
    out = []
    for k, entry in enumerate(entries):
        at = f"lines[{k}]"
        if not isinstance(entry, dict) or set(entry) != {"line", "quantity", "lot_no", "expiry_on"}:
            problems[at] = "须为含 line、quantity、lot_no、expiry_on 的对象 / an object with line, quantity, lot_no, expiry_on"
            continue
        out.append(ShipInput(_line_id(entry["line"], f"{at}.line", problems),
                             _packs(entry["quantity"], f"{at}.quantity", problems),
                             _text(entry["lot_no"], f"{at}.lot_no", problems),
                             _text(entry["expiry_on"], f"{at}.expiry_on", problems)))
    if problems:
        raise FieldsError(problems)
    return out


def answer_of(body: object) -> tuple[str | int, bool, str]:
    """``{"quantity", "accept": bool, "reason"?}`` of a shipment line."""
    if not isinstance(body, dict) or set(body) - {"quantity", "accept", "reason"} or not isinstance(
            body.get("accept"), bool) or "quantity" not in body:
        raise FieldsError({"body": "须为含 quantity 与 accept（布尔）的对象 / an object with quantity and accept (boolean)"})
    problems: dict[str, str] = {}
    quantity = _packs(body["quantity"], "quantity", problems)
    reason = _text(body.get("reason"), "reason", problems, required=False)
    if problems:
        raise FieldsError(problems)
    return quantity, body["accept"], reason
