"""Forms of the payment-standard pages: a derivation with its rule settings, a decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

BASES = (("highest", _l("Highest selected price of the generic")), ("per_product", _l("Each product's selected price")))


class DeriveForm(FlaskForm):
    """Derive the standards of a batch."""

    batch = SelectField(_l("Batch"), choices=[], validate_choice=False, validators=[DataRequired()])
    basis = SelectField(_l("Rule"), choices=[SelectChoice(v, t) for v, t in BASES], validators=[DataRequired()])
    multiples = StringField(_l("Transition multiples by year"), default="2, 1.5",
                            validators=[DataRequired(), Length(max=60)])
    fund_ratio = StringField(_l("Fund ratio (%)"), default="70", validators=[DataRequired(), Length(max=10)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class DecisionForm(FlaskForm):
    """Approve or reject, with a reason."""

    decision = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
