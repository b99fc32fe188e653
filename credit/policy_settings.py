"""The registry of credit settings, as people meet them (pure; the caller passes ``tr``): per
field of :class:`credit.policy.CreditRules` its label, unit, help with the policy source and
kind of control, like ``procurement/rule_settings.py`` does for batch rules; the readable values;
and the submitted form read back.

Kinds: ``days``, ``count``, ``years`` (whole numbers with their unit), ``bool``, and the tables
``grade_by_kind`` (breach kind → grade), ``consequence_by_grade`` and ``days_by_grade``, entered
one control per row (``credit.<name>.<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import either
from core.inputs import InputError, whole
from credit.policy import BREACH_KINDS, CONSEQUENCES, GRADES, CreditRules, parse_credit_rules
from procurement.rule_settings import RuleSetting, _l

G_BREACH, G_GRADE, G_EFFECT = _l("Breaches"), _l("Grades"), _l("Consequences and repair")

SETTINGS: tuple[RuleSetting, ...] = (
    RuleSetting("statement_days", G_BREACH, _l("Supplier's statement period"), "days",
                _l("After a breach is recorded the supplier may state its case (陈述申辩) for this many days; the "
                   "officer decides after the statement or after the period.")),
    RuleSetting("lookback_days", G_GRADE, _l("Rating period"), "days",
                _l("Confirmed breaches that occurred within this many days before the rating count (评定周期).")),
    RuleSetting("base_grade", G_GRADE, _l("Grade of each kind of breach"), "grade_by_kind",
                _l("The grade one confirmed breach of each kind gives (一般, 中等, 严重, 特别严重); the rating takes "
                   "the most serious.")),
    RuleSetting("repeat_step", G_GRADE, _l("Further breaches per grade raised"), "count",
                _l("Repeated breaches within the rating period raise the grade one level for every this many "
                   "further breaches (1: each further breach raises it).")),
    RuleSetting("consequence", G_EFFECT, _l("Consequence of each grade"), "consequence_by_grade",
                _l("What the platform enforces: a reminder only; a warning shown to officers at evaluation; "
                   "suspension of the supplier's bids in the region; exclusion from bidding.")),
    RuleSetting("validity_days", G_EFFECT, _l("Validity of a rating"), "days_by_grade",
                _l("A published rating holds for this many days (an exclusion for the years below).")),
    RuleSetting("exclusion_years", G_EFFECT, _l("Exclusion period"), "years",
                _l("A rating whose consequence is exclusion bars the supplier from bidding for this many years.")),
    RuleSetting("repair_wait_days", G_EFFECT, _l("Waiting period before repair"), "days",
                _l("Credit repair (信用修复) can be granted after the supplier's written commitment and this many days "
                   "after the rating was published.")),
    RuleSetting("four_eyes", G_EFFECT, _l("Four-eyes confirmation of ratings"), "bool",
                _l("The officer who proposed a rating may not confirm it; a second officer does.")),
)

KIND_LABELS = {"supply_failure": _l("Supply failure"), "refusal_to_deliver": _l("Refusal to deliver"),
               "price_manipulation": _l("Price manipulation"), "kickback": _l("Kickbacks")}
GRADE_LABELS = {"general": _l("General"), "medium": _l("Medium"), "serious": _l("Serious"),
                "particularly_serious": _l("Particularly serious")}
CONSEQUENCE_LABELS = {"reminder": _l("Reminder only"), "warning": _l("Warning to officers at evaluation"),
                      "suspension": _l("Bids suspended in the region"), "exclusion": _l("Excluded from bidding")}

#: the rows of each table kind: (key, its label msgid) and the choices of each row
TABLE_ROWS = {"grade_by_kind": tuple((k, KIND_LABELS[k]) for k in BREACH_KINDS),
              "consequence_by_grade": tuple((g, GRADE_LABELS[g]) for g in GRADES),
              "days_by_grade": tuple((g, GRADE_LABELS[g]) for g in GRADES)}
TABLE_CHOICES = {"grade_by_kind": tuple((g, GRADE_LABELS[g]) for g in GRADES),
                 "consequence_by_grade": tuple((c, CONSEQUENCE_LABELS[c]) for c in CONSEQUENCES)}
WHOLE = {"days": (1, 3650), "count": (1, 10), "years": (1, 10)}


@dataclass(frozen=True)
class ShownSetting:
    """A credit setting as the page shows it: label, help, the readable value, and per table row
    (key, row label, the row's value for the control, its readable value)."""

    setting: RuleSetting
    label: str
    help: str
    value: str
    rows: tuple[tuple[str, str, str, str], ...]
    choices: tuple[tuple[str, str], ...]
    raw: str = ""  # the control's value: the number, or "y" for a ticked box


def _unit(kind: str, value: object, tr) -> str:
    """A whole number with its unit."""
    if kind in ("days", "days_by_grade"):
        return tr(_l("%(v)s days"), v=value)
    if kind == "years":
        return tr(_l("%(v)s years"), v=value)
    return str(value)


def _cell(kind: str, value: object, tr) -> str:
    """One table cell readable."""
    if kind == "grade_by_kind":
        return tr(GRADE_LABELS[value])
    if kind == "consequence_by_grade":
        return tr(CONSEQUENCE_LABELS[value])
    return _unit(kind, value, tr)


def shown(rules: CreditRules, tr) -> list[tuple[str, list[ShownSetting]]]:
    """The settings by group, in the reader's language."""
    data = rules.model_dump(mode="json")
    groups: dict[str, list[ShownSetting]] = {}
    for s in SETTINGS:
        value = data[s.name]
        if s.kind in TABLE_ROWS:
            rows = tuple((key, tr(text), str(value[key]), _cell(s.kind, value[key], tr)) for key, text in TABLE_ROWS[s.kind])
            readable = "; ".join(f"{r[1]}: {r[3]}" for r in rows)
        else:
            rows = ()
            readable = (tr(_l("Yes")) if value else tr(_l("No"))) if s.kind == "bool" else _unit(s.kind, value, tr)
        choices = tuple((v, tr(t)) for v, t in TABLE_CHOICES.get(s.kind, ()))
        raw = ("y" if value else "") if s.kind == "bool" else ("" if s.kind in TABLE_ROWS else str(value))
        groups.setdefault(tr(s.group), []).append(ShownSetting(s, tr(s.label), tr(s.help), readable, rows, choices, raw))
    return list(groups.items())


def read_form(current: CreditRules, posted) -> tuple[CreditRules | None, dict[str, str]]:
    """The rules the submitted form sets (settings it did not carry stay as they are) and, per
    setting, why it was refused (``InputError`` text or the rule model's message)."""
    data = current.model_dump(mode="json")
    errors: dict[str, str] = {}
    for s in SETTINGS:
        name = s.name
        try:
            if s.kind == "bool":
                if f"credit.{name}.shown" in posted:
                    data[name] = bool(posted.get(f"credit.{name}"))
            elif s.kind in TABLE_ROWS:
                table = dict(data[name])
                for key, _text in TABLE_ROWS[s.kind]:
                    field = f"credit.{name}.{key}"
                    if field in posted:
                        raw = posted.get(field, "")
                        table[key] = whole(raw, field, *WHOLE["days"]) if s.kind == "days_by_grade" else raw.strip()
                data[name] = table
            elif f"credit.{name}" in posted:
                data[name] = whole(posted.get(f"credit.{name}", ""), f"credit.{name}", *WHOLE[s.kind])
        except InputError as exc:
            errors[name] = either(exc.zh, exc.en)
    if errors:
        return None, errors
    return parse_credit_rules(data), errors


_LIMITS = {"ge": _l("Must be at least %(limit)s."), "gt": _l("Must be more than %(limit)s."),
           "le": _l("Must be at most %(limit)s."), "lt": _l("Must be less than %(limit)s.")}
_SPECIFIC = {"consequence": _l("A more serious grade may not have a milder consequence."),
             "base_grade": _l("Choose a grade for every kind of breach."),
             "validity_days": _l("Give every grade a validity from 1 to 3650 days.")}


def refusal(exc, tr) -> tuple[str, str]:
    """The setting a rule-model refusal (:class:`procurement.rules.RuleError`) belongs to, and
    its message in the reader's language."""
    name = exc.field.split(".")[0]
    bound = next(iter(exc.limits.items()), None)
    if bound is not None:
        return name, tr(_LIMITS[bound[0]], limit=bound[1])
    return name, tr(_SPECIFIC.get(name, _l("Enter a number.")))
