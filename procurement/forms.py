"""Forms for batches and the catalog (rule settings: ``procurement/rule_fields.py``)."""

from __future__ import annotations

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

from web.forms import PlainDecimal, WholeField


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
