"""Rule settings shown and read as people use them (pure: the caller passes ``tr``, its
gettext): a readable value with its unit per setting, the form's values per control, the
submitted form read back into a change, and a refusal worded on its field.

Percentages are entered and shown as percent and stored as ratios; tables by number of
winners or bidders are rows of two cells (the last row applies to more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from procurement.rule_settings import BY_NAME, SETTINGS, RuleSetting, _l
from procurement.rules import BatchRules, RuleError, merged_rules

BLANK_ROWS = 2
PERCENT_KINDS = ("percent", "ratio_table", "gradient")
WHOLE_KINDS = ("days", "hours", "months", "day_of_month", "seconds", "count")


def plain(value: Decimal | int) -> str:
    """A number without exponent or trailing zeros: 1.8, 50, 0.01."""
    text = format(Decimal(value).normalize(), "f")
    return text


def percent(ratio: Decimal | str) -> str:
    """A stored ratio as a percentage number (0.5 → "50")."""
    return plain(Decimal(str(ratio)) * 100)


def _unit_text(kind: str, value: str, tr) -> str:
    """A value in its setting's unit."""
    if kind == "percent":
        return f"{value} %"
    if kind == "yuan":
        return tr(_l("¥%(v)s per unit"), v=value)
    if kind == "multiple":
        return f"{value}×"
    if kind == "days":
        return tr(_l("%(v)s days"), v=value)
    if kind == "seconds":
        return tr(_l("%(v)s seconds"), v=value)
    if kind == "months":
        return tr(_l("%(v)s months"), v=value)
    if kind == "hours":
        return tr(_l("%(v)s hours"), v=value)
    if kind == "day_of_month":
        return tr(_l("day %(v)s of each month"), v=value)
    return value


def _by_winners(table: dict, shown, tr) -> str:
    """``1 winner: 50 %; …; ≥ 4 winners: 80 %``."""
    keys = sorted(int(k) for k in table)
    parts = []
    for i, k in enumerate(keys):
        who = tr(_l("≥ %(n)s winners"), n=k) if i == len(keys) - 1 and k > 1 else tr(_l("%(n)s winners"), n=k)
        parts.append(f"{who}: {shown(table[k] if k in table else table[str(k)])}")
    return "; ".join(parts)


def display_text(setting: RuleSetting, value, tr) -> str:
    """One setting's current value as a sentence fragment with its unit."""
    kind = setting.kind
    if value is None:
        return tr(_l("Not applied"))
    if kind == "bool":
        return tr(_l("Yes")) if value else tr(_l("No"))
    if kind == "choice":
        return tr(dict(setting.choices).get(value, value))
    if kind == "percent":
        return _unit_text(kind, percent(value), tr)
    if kind in ("yuan", "multiple", "number"):
        return _unit_text(kind, plain(Decimal(str(value))), tr)
    if kind in WHOLE_KINDS:
        return _unit_text(kind, str(value), tr)
    if kind == "ratio_table":
        return _by_winners(value, lambda v: f"{percent(v)} %", tr)
    if kind == "years_table":
        return _by_winners(value, lambda v: tr(_l("%(v)s years"), v=v), tr)
    if kind == "gradient":
        return _by_winners(value, lambda floors: ", ".join(f"{percent(f)} %" for f in floors), tr)
    if kind == "tiers":
        return "; ".join(tr(_l("above %(score)s points: %(share)s %%"), score=plain(Decimal(str(t["above_score"]))),
                            share=percent(t["ratio"])) for t in value) or tr(_l("Not applied"))
    if kind == "max_winners":
        cap = value["cap"]
        if value.get("table"):
            rows = sorted((int(k), v) for k, v in value["table"].items())
            table = ", ".join(f"{k}→{v}" for k, v in rows)
            return tr(_l("by the table of valid bidders → winners: %(table)s (the last row for more bidders), "
                         "at most %(cap)s"), table=table, cap=cap)
        return tr(_l("N − %(minus)s, where N is the number of valid bidders; at most %(cap)s"), minus=value["minus"],
                  cap=cap)
    return str(value)


@dataclass(frozen=True)
class Shown:
    """A setting as a page shows it: texts already in the reader's language (msgids with a
    literal % cannot go through the template's formatting gettext)."""

    setting: RuleSetting
    label: str
    help: str
    value: str
    choices: tuple[tuple[str, str], ...]


def display_groups(rules: BatchRules, tr, procedure: str = "tender") -> list[tuple[str, list[Shown]]]:
    """The settings of the batch's procedure by group, each with its label, help and readable
    value (bidding and evaluation settings are absent from an executed result)."""
    data = rules.model_dump(mode="json")
    groups: dict[str, list] = {}
    for s in SETTINGS:
        if s.tender_only and procedure != "tender":
            continue
        groups.setdefault(tr(s.group), []).append(Shown(
            s, tr(s.label), tr(s.help), display_text(s, data[s.name], tr), tuple((v, tr(t)) for v, t in s.choices)))
    return list(groups.items())


def _rows(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Table rows and a few blank ones to add to."""
    return pairs + [("", "")] * BLANK_ROWS


def control_values(rules: BatchRules, posted=None) -> dict[str, dict]:
    """For each setting the texts its controls show: the posted form's (after a refusal) or the
    rule set's, in the units people enter (percent, not ratios)."""
    data = rules.model_dump(mode="json")
    out: dict[str, dict] = {}
    for setting in SETTINGS:
        name, kind, value = setting.name, setting.kind, data[setting.name]
        if posted is not None:
            out[name] = _posted_values(setting, posted)
            continue
        if kind == "bool":
            out[name] = {"checked": bool(value)}
        elif kind == "percent":
            out[name] = {"value": "" if value is None else percent(value)}
        elif kind in ("ratio_table", "years_table"):
            rows = sorted((int(k), v) for k, v in value.items())
            out[name] = {"rows": _rows([(str(k), percent(v) if kind == "ratio_table" else str(v)) for k, v in rows])}
        elif kind == "gradient":
            rows = sorted((int(k), v) for k, v in (value or {}).items())
            out[name] = {"rows": _rows([(str(k), ", ".join(percent(f) for f in v)) for k, v in rows])}
        elif kind == "tiers":
            out[name] = {"rows": _rows([(plain(Decimal(str(t["above_score"]))), percent(t["ratio"])) for t in value])}
        elif kind == "max_winners":
            rows = sorted((int(k), v) for k, v in (value.get("table") or {}).items())
            out[name] = {"mode": "table" if value.get("table") else "minus",
                         "minus": "" if value.get("minus") is None else str(value["minus"]),
                         "cap": str(value["cap"]), "rows": _rows([(str(k), str(v)) for k, v in rows])}
        else:
            out[name] = {"value": "" if value is None else (plain(Decimal(str(value))) if kind in ("yuan", "multiple")
                                                            else str(value))}
    return out


def _posted_rows(posted, name: str) -> list[tuple[str, str]]:
    """The (key, value) cells of a posted table, in order."""
    rows, i = [], 0
    while f"rule.{name}.k.{i}" in posted and i < 100:
        rows.append((posted.get(f"rule.{name}.k.{i}", "").strip(), posted.get(f"rule.{name}.v.{i}", "").strip()))
        i += 1
    return rows


def _posted_values(setting: RuleSetting, posted) -> dict:
    """The controls' texts as submitted (a refused form shows what was entered)."""
    name = setting.name
    if setting.kind == "bool":
        return {"checked": bool(posted.get(f"rule.{name}"))}
    if setting.kind in ("ratio_table", "years_table", "gradient", "tiers"):
        return {"rows": _posted_rows(posted, name)}
    if setting.kind == "max_winners":
        return {"mode": posted.get(f"rule.{name}.mode", "minus"), "minus": posted.get(f"rule.{name}.minus", ""),
                "cap": posted.get(f"rule.{name}.cap", ""), "rows": _posted_rows(posted, name)}
    return {"value": posted.get(f"rule.{name}", "")}


class Unreadable(ValueError):
    """A submitted cell that is not a number of the right kind; ``msgid`` says why."""

    def __init__(self, msgid: str) -> None:
        """Keep the msgid for the page to translate."""
        super().__init__(msgid)
        self.msgid = msgid


def _number(text: str, whole: bool = False) -> Decimal:
    """A typed number (full-width digits and separators allowed)."""
    text = text.strip().replace(",", "").replace("，", "").replace("%", "").replace("％", "").strip()
    text = text.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}).replace("．", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Unreadable(_l("Enter a number.")) from None
    if not value.is_finite() or len(text) > 20:
        raise Unreadable(_l("Enter a number."))
    if whole and value != value.to_integral_value():
        raise Unreadable(_l("Enter a whole number."))
    return value


def _date(text: str) -> str:
    """A typed calendar date as ISO text (the rule model reads it)."""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise Unreadable(_l("Enter a date as YYYY-MM-DD.")) from None


def _ratio(text: str) -> str:
    """A percentage typed by a person as the stored ratio (50 → "0.5")."""
    return plain(_number(text) / 100)


def _read(setting: RuleSetting, posted):
    """One setting's value from the form, in the rule model's terms."""
    name, kind = setting.name, setting.kind
    raw = posted.get(f"rule.{name}", "").strip()
    if kind == "bool":
        return bool(posted.get(f"rule.{name}"))
    if kind in ("ratio_table", "years_table", "gradient", "tiers", "max_winners"):
        return _read_table(setting, posted)
    if raw == "":
        if setting.optional:
            return None
        raise Unreadable(_l("This setting is required."))
    if kind == "choice":
        return raw
    if kind == "date":
        return _date(raw)
    if kind == "percent":
        return _ratio(raw)
    if kind in WHOLE_KINDS:
        return int(_number(raw, whole=True))
    return plain(_number(raw))


def _read_table(setting: RuleSetting, posted):
    """A table setting from its rows (blank rows skipped)."""
    name, kind = setting.name, setting.kind
    rows = [(k, v) for k, v in _posted_rows(posted, name) if k or v]
    if any(not k or not v for k, v in rows):
        raise Unreadable(_l("Fill in both cells of every row, or leave the row empty."))
    if kind == "tiers":
        return [{"above_score": plain(_number(k)), "ratio": _ratio(v)} for k, v in rows]
    keys = [int(_number(k, whole=True)) for k, _v in rows]
    if len(set(keys)) != len(keys):
        raise Unreadable(_l("Each number of winners or bidders may appear only once."))
    if kind == "ratio_table":
        return {str(k): _ratio(v) for k, (_k, v) in zip(keys, rows, strict=True)}
    if kind == "years_table":
        return {str(k): int(_number(v, whole=True)) for k, (_k, v) in zip(keys, rows, strict=True)}
    if kind == "gradient":
        if not rows:
            return None
        return {str(k): [_ratio(f) for f in v.replace("，", ",").split(",") if f.strip()]
                for k, (_k, v) in zip(keys, rows, strict=True)}
    cap = int(_number(posted.get(f"rule.{name}.cap", ""), whole=True))
    if posted.get(f"rule.{name}.mode") == "table":
        if not rows:
            raise Unreadable(_l("Give at least one row."))
        return {"minus": None, "cap": cap,
                "table": {str(k): int(_number(v, whole=True)) for k, (_k, v) in zip(keys, rows, strict=True)}}
    return {"minus": int(_number(posted.get(f"rule.{name}.minus", ""), whole=True)), "table": None, "cap": cap}


def _present(setting: RuleSetting, posted) -> bool:
    """Whether the form carried this setting's controls (a checkbox says so by its marker)."""
    name = setting.name
    marker = {"bool": f"rule.{name}.shown", "max_winners": f"rule.{name}.cap"}.get(
        setting.kind, f"rule.{name}.k.0" if setting.kind in ("ratio_table", "years_table", "gradient", "tiers")
        else f"rule.{name}")
    return marker in posted


def read_form(posted) -> tuple[dict, dict[str, str]]:
    """The value of every setting the submitted form carried, and the msgid of each unreadable
    one (settings it did not carry stay as they are)."""
    values, errors = {}, {}
    for setting in SETTINGS:
        if not _present(setting, posted):
            continue
        try:
            values[setting.name] = _read(setting, posted)
        except Unreadable as exc:
            errors[setting.name] = exc.msgid
    return values, errors


def changes(current: BatchRules, values: dict) -> dict:
    """Only the settings whose value differs from the current rule set (the whole set is
    validated first: :class:`RuleError` names the field at fault)."""
    data = current.model_dump(mode="json")
    candidate = merged_rules(current, values).model_dump(mode="json")
    return {name: values[name] for name in values if candidate[name] != data[name]}


_LIMITS = {"ge": _l("Must be at least %(limit)s."), "gt": _l("Must be more than %(limit)s."),
           "le": _l("Must be at most %(limit)s."), "lt": _l("Must be less than %(limit)s.")}
_SPECIFIC = {
    "max_winners": _l("Give either N − m or a table; the table's winners must not decrease as bidders increase."),
    "agreed_ratio": _l("Give a ratio for 1 winner; every ratio above 0 % and at most 100 %."),
    "contract_years": _l("Give the years for 1 winner; every period from 1 to 5 years."),
    "gradient": _l("For n ≥ 2 winners give at most n − 1 shares, each between 0 % and 100 %, together below 100 %."),
    "apply_by_day": _l("The days must come in order: suppliers apply, then hospitals reconcile, then the fund pays."),
}


def refusal(exc: RuleError, tr) -> tuple[str, str]:
    """The setting a rule-model refusal belongs to and its message in the reader's language."""
    parts = exc.field.split(".")
    name = "apply_by_day" if parts[0] == "rules" else parts[0]
    setting = BY_NAME.get(name)
    if setting is None:
        return name, exc.message
    bound = next(((k, v) for k, v in exc.limits.items()), None)
    if bound is not None:
        as_percent = setting.kind in PERCENT_KINDS or parts[-1] == "ratio"
        limit = f"{percent(bound[1])} %" if as_percent else (
            _unit_text(setting.kind, plain(Decimal(str(bound[1]))), tr) if setting.kind not in ("tiers", "max_winners")
            else plain(Decimal(str(bound[1]))))
        return name, tr(_LIMITS[bound[0]], limit=limit)
    if exc.kind == "literal_error":
        return name, tr(_l("Choose one of the options."))
    if name in _SPECIFIC:
        return name, tr(_SPECIFIC[name])
    return name, tr(_l("Enter a number."))
