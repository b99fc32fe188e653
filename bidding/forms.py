"""The bid form: one item, the offered specification, pack price, capacity, up to 3 tiers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from bidding.pricing import Eligibility
from web.forms import PlainDecimal, WholeField

DECIMAL = Regexp(r"^\s*\d+(\.\d+)?\s*$", message=_l("Enter a number, e.g. 12.5"))


class TierForm(FlaskForm):
    """"If awarded at least V units, the pack price is p"."""

    class Meta:
        csrf = False

    min_volume = WholeField(_l("Awarded at least (units)"), validators=[Optional()])
    pack_price = StringField(_l("Pack price (yuan)"), validators=[Optional(), DECIMAL, PlainDecimal(places=4)])


class BidForm(FlaskForm):
    """A bid for one batch item."""

    item_code = SelectField(_l("Item"), validators=[DataRequired()])
    strength = StringField(_l("Offered strength"), validators=[DataRequired(), DECIMAL, PlainDecimal()])
    strength_unit = StringField(_l("Strength unit"), validators=[DataRequired(), Length(max=12)])
    units_per_pack = WholeField(_l("Units per pack"), validators=[DataRequired()])
    pack_price = StringField(_l("Pack price (yuan)"), validators=[DataRequired(), DECIMAL, PlainDecimal(places=4)])
    capacity = WholeField(_l("Annual supply capacity (minimal units)"), validators=[DataRequired()])
    eligibility = SelectField(_l("Eligibility"), choices=[
        SelectChoice(Eligibility.CONSISTENCY_GENERIC.value, _l("Consistency-evaluated generic")),
        SelectChoice(Eligibility.REFERENCE_DRUG.value, _l("Reference drug"))])
    tiers = FieldList(FormField(TierForm), min_entries=3, max_entries=3)
    confirm = HiddenField()


class WithdrawForm(FlaskForm):
    """Withdraw the live bid of one item."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class UploadForm(FlaskForm):
    """A bid workbook."""

    file = FileField(_l("Bid workbook (.xlsx)"), validators=[FileRequired()])


class SlipForm(FlaskForm):
    """The receipt slip posted back for download (the server stores nothing)."""

    slip = TextAreaField(validators=[DataRequired(), Length(max=20000)])
