"""The JSON body of a self-payment read into the service's inputs (pure). The amount is a decimal
string (never a JSON float); lines are ``order_acceptance`` ids."""

from __future__ import annotations

from api.orders.bodies import FieldsError
from selfpay.rules import MAX_LINES

KEYS = {"lines", "paid_on", "amount", "bank_ref"}


def payment_of(body: object) -> tuple[list[int], str, str, str]:
    """(acceptance ids, paid_on, amount, bank_ref) or :class:`FieldsError` naming each problem."""
    if not isinstance(body, dict):
        raise FieldsError({"body": "须为 JSON 对象 / must be a JSON object"})
    problems = {k: "未知字段 / unknown field" for k in sorted(set(body) - KEYS)}
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines or len(lines) > MAX_LINES:
        problems["lines"] = f"须为 1 至 {MAX_LINES} 个验收明细编号 / must be 1 to {MAX_LINES} acceptance ids"
        lines = []
    for k, value in enumerate(lines):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**31:
            problems[f"lines[{k}]"] = "须为验收明细编号 / must be an acceptance id"
    texts = {}
    for key, limit in (("paid_on", 10), ("amount", 20), ("bank_ref", 40)):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            problems[key] = f"须为不超过 {limit} 个字符的文本 / must be text of at most {limit} characters"
        texts[key] = value if isinstance(value, str) else ""
    if problems:
        raise FieldsError(problems)
    return list(lines), texts["paid_on"], texts["amount"], texts["bank_ref"]
