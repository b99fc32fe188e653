"""Forms for batches and the catalog; rule settings are rendered from the rule model itself."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from procurement.rules import BatchRules
from web.forms import PlainDecimal, WholeField

RULE_LABELS = {
    "fuse_multiple": _l("Price-spread multiple (1.8×)"),
    "anchor": _l("Anchor price"),
    "half_mean_k": _l("Share of mean price for the anchor"),
    "reduction_safe_harbour": _l("Reduction safe harbour (share of max price)"),
    "absolute_safe_harbour": _l("Absolute safe harbour (yuan per unit)"),
    "max_winners": _l("Maximum winners (JSON)"),
    "tie_break": _l("Tie-break"),
    "agreed_ratio": _l("Agreed-volume ratio by winners (JSON)"),
    "contract_years": _l("Contract years by winners (JSON)"),
    "allocation_unit": _l("Allocate by"),
    "min_regions_per_winner": _l("Minimum regions per winner"),
    "max_share": _l("Maximum share per winner"),
    "backup": _l("Backup supplier per region"),
    "gradient": _l("Consumables volume gradient (JSON)"),
    "solver": _l("Solver"),
    "time_limit_seconds": _l("Solver time limit (s)"),
    "gap": _l("Solver relative gap"),
    "strength_factor": _l("Differential-pricing factor per doubling"),
    "demand_floor_ratio": _l("Committed volume floor (share of last year)"),
    "allow_early_demand_close": _l("Allow closing demand before the deadline"),
    "four_eyes": _l("Four-eyes approval"),
    "publicity_days": _l("Publicity days"),
    "prepayment_ratio": _l("Prepayment ratio"),
    "prepayment_offset": _l("Prepayment offset rule"),
    "payment_days": _l("Payment deadline (days after acceptance)"),
    "apply_by_day": _l("Suppliers apply by day"),
    "reconcile_by_day": _l("Hospitals reconcile by day"),
    "pay_from_day": _l("Fund pays from day"),
    "fund_payment_ratio": _l("Fund payment ratio"),
    "retention_tiers": _l("Retained-savings tiers (JSON)"),
}


def rule_rows(rules: BatchRules) -> list[tuple[str, object, str]]:
    """(name, label, current value as text) for every rule, in model order."""
    data = rules.model_dump(mode="json")
    rows = []
    for name in BatchRules.model_fields:
        value = data[name]
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else (
            "" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
        rows.append((name, RULE_LABELS.get(name, name), text))
    return rows


def rule_changes_from(form_data, rules: BatchRules) -> dict:
    """Read submitted ``rule.<name>`` fields back into a change dict (JSON for structures)."""
    current = dict((n, t) for n, _l2, t in rule_rows(rules))
    changes: dict = {}
    for name in BatchRules.model_fields:
        key = f"rule.{name}"
        if key not in form_data:
            continue
        raw = form_data.get(key, "").strip()
        if raw == current[name]:
            continue
        if raw == "":
            changes[name] = None
        elif raw.startswith(("{", "[")):
            try:
                changes[name] = json.loads(raw)
            except json.JSONDecodeError:
                changes[name] = raw  # let validation name the field
        elif raw in {"true", "false"}:
            changes[name] = raw == "true"
        else:
            changes[name] = raw
    return changes


class BatchEditForm(FlaskForm):
    """A draft batch's name and timeline (times in Beijing time)."""

    name = StringField(_l("Batch name"), validators=[DataRequired(), Length(max=200)])
    demand_deadline = DateTimeLocalField(_l("Demand deadline"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    bid_deadline = DateTimeLocalField(_l("Bid deadline"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    opening_at = DateTimeLocalField(_l("Opening time"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    cycle_start = DateField(_l("Cycle start"), validators=[Optional()])
    cycle_end = DateField(_l("Cycle end"), validators=[Optional()])

    def mark(self, problems: dict[str, str], translate) -> None:
        """Put the service's reasons (msgids per field) on the fields they name."""
        for name, text in problems.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, translate(text)]


class BatchForm(BatchEditForm):
    """Create a batch: its code and kind besides the name and timeline."""

    code = StringField(_l("Batch code"), validators=[DataRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("drug", _l("Drugs")), SelectChoice("consumable", _l("Consumables"))])


def aware(value: datetime | None, tz_name: str) -> datetime | None:
    """Interpret a form's naive local time in the platform's time zone."""
    return value.replace(tzinfo=ZoneInfo(tz_name)) if value else None


class BatchItemForm(FlaskForm):
    """Add a catalog item with its maximum valid price (yuan per minimal unit)."""

    item_code = StringField(_l("Item code"), validators=[DataRequired(), Length(max=40)])
    max_valid_price = StringField(_l("Maximum valid price (yuan per unit)"), validators=[DataRequired(), Length(max=20)])
    previous_price = StringField(_l("Previous average price (yuan per unit)"), validators=[Optional(), Length(max=20)])


class RegionsForm(FlaskForm):
    """The batch's supply regions as codes separated by spaces or commas."""

    region_codes = TextAreaField(_l("Supply region codes"), validators=[DataRequired()])


class TransitionForm(FlaskForm):
    """A lifecycle action with an optional reason."""

    action = StringField(validators=[DataRequired(), Length(max=30)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("I understand that this cannot be undone."))


class ItemForm(FlaskForm):
    """A catalog item."""

    code = StringField(_l("Item code"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("drug", _l("Drug")), SelectChoice("consumable", _l("Consumable"))])
    generic_name = StringField(_l("Generic name"), validators=[DataRequired(), Length(max=120)])
    dosage_form = StringField(_l("Dosage form"), validators=[Optional(), Length(max=40)])
    rep_strength = StringField(_l("Representative strength"), validators=[Optional(), Regexp(r"^\s*\d+(\.\d+)?\s*$"), PlainDecimal()])
    strength_unit = StringField(_l("Strength unit"), validators=[Optional(), Length(max=12)])
    minimal_unit = StringField(_l("Minimal unit"), validators=[DataRequired(), Length(max=8)])
    rep_units_per_pack = WholeField(_l("Units per pack"), validators=[Optional()])
    consistency_evaluated = BooleanField(_l("Consistency evaluated"))
    category = StringField(_l("Consumable category"), validators=[Optional(), Length(max=120)])
