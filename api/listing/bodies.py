"""JSON bodies of the listing endpoints read into listing inputs (pure). Money arrives as a
decimal string (or an integer number of yuan), never a JSON float."""

from __future__ import annotations

from listing.services import ProductInput

REQUIRED = ("code", "generic_name", "dosage_form", "spec", "pack", "mah", "price", "vbp_status")
KEYS = (*REQUIRED, "vbp_batch_code")
MAX_PRODUCTS = 5_000


class FieldsError(ValueError):
    """The body is not a list of products; ``fields`` names each problem."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid products")
        self.fields = fields


def products_of(body: object) -> list[ProductInput]:
    """``{"products": [{code, generic_name, dosage_form, spec, pack, mah, price, vbp_status,
    vbp_batch_code?}, …]}`` as listing inputs; :class:`FieldsError` names every malformed field."""
    if not isinstance(body, dict) or not isinstance(body.get("products"), list) or not body["products"]:
        raise FieldsError({"products": "需要非空的 products 数组 / a non-empty products array is required"})
    if len(body["products"]) > MAX_PRODUCTS:
        raise FieldsError({"products": f"一次最多 {MAX_PRODUCTS} 个产品 / at most {MAX_PRODUCTS} products per request"})
    problems: dict[str, str] = {}
    items = []
    for n, entry in enumerate(body["products"]):
        if not isinstance(entry, dict) or set(entry) - set(KEYS) or set(REQUIRED) - set(entry):
            problems[f"products[{n}]"] = f"须为含 {', '.join(REQUIRED)} 的对象 / an object with {', '.join(REQUIRED)}"
            continue
        values = {}
        for key in KEYS:
            value = entry.get(key, "")
            if key == "price" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if value is None:
                value = ""
            if not isinstance(value, str):
                problems[f"products[{n}].{key}"] = "须为文本（价格为十进制字符串） / must be text (a price as a decimal string)"
            values[key] = value
        items.append(ProductInput(**values))
    if problems:
        raise FieldsError(problems)
    return items
