"""JSON text of the OCDS package with Decimals written digit for digit (``review.ocds``)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def to_json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON text with every Decimal written as a number digit for digit (``Decimal("1.50")`` →
    ``1.50``), never through a float; floats, non-finite Decimals and non-str keys are refused;
    non-ASCII text is kept. ``json.dumps(default=...)`` can only substitute another JSON value
    (a string or a float), never a bare number, hence this small writer; strings, ints, bools
    and null are still spelt by ``json.dumps``."""
    step = " " * indent if indent is not None else ""
    sep, nl = (", ", "") if indent is None else (",", "\n")

    def write(value: Any, pad: str) -> str:
        """Encode one value whose container is indented by ``pad``."""
        inner = nl + pad + step
        if isinstance(value, dict) and value:
            if not all(isinstance(k, str) for k in value):
                raise TypeError("JSON object keys must be str")
            body = sep.join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {write(v, pad + step)}"
                            for k, v in value.items())
            return "{" + body + nl + pad + "}"
        if isinstance(value, list | tuple) and value:
            return "[" + sep.join(inner + write(v, pad + step) for v in value) + nl + pad + "]"
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"not a finite number: {value}")
            return format(value, "f")
        if isinstance(value, float):
            raise TypeError("floats are not written: money is never a float")
        if value is None or isinstance(value, str | int | dict | list | tuple):  # empty containers
            return json.dumps(value, ensure_ascii=False)
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    return write(data, "")
