"""Forms of the retained-savings pages: officer points, a reason, an objection and its answer,
and the batch's settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from web.forms import PlainDecimal, WholeField


class PointsForm(FlaskForm):
    """Officer points (±) with the reason; also a new version after approval."""

    points = WholeField(_l("Officer points"), low=-100, high=100, validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class TextForm(FlaskForm):
    """An objection, or the reason of sending back."""

    text = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class AnswerForm(FlaskForm):
    """Uphold (a new version with the points given) or dismiss an objection."""

    decision = HiddenField(validators=[DataRequired()])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])
    points = WholeField(_l("Officer points"), low=-100, high=100, validators=[Optional()])


MODES = (("credited", _l("Credited in the next fund settlement")), ("instruction", _l("Payment instruction and bank file")))


class SettingsForm(FlaskForm):
    """The batch's retained-savings settings (three tiers, from the highest)."""

    completion = WholeField(_l("Agreed-volume completion"), low=0, high=100, validators=[Optional()])
    selected_use = WholeField(_l("Use of selected products"), low=0, high=100, validators=[Optional()])
    non_selected = WholeField(_l("Share of non-selected products"), low=0, high=100, validators=[Optional()])
    on_time = WholeField(_l("On-time reconciliation"), low=0, high=100, validators=[Optional()])
    tier1_score = StringField(_l("Score"), validators=[DataRequired(), Length(max=8), PlainDecimal(2)])
    tier1_rate = StringField(_l("Share kept (%)"), validators=[DataRequired(), Length(max=8), PlainDecimal(2)])
    tier1_inclusive = BooleanField(_l("Including the score itself"))
    tier2_score = StringField(_l("Score"), validators=[Optional(), Length(max=8), PlainDecimal(2)])
    tier2_rate = StringField(_l("Share kept (%)"), validators=[Optional(), Length(max=8), PlainDecimal(2)])
    tier2_inclusive = BooleanField(_l("Including the score itself"))
    tier3_score = StringField(_l("Score"), validators=[Optional(), Length(max=8), PlainDecimal(2)])
    tier3_rate = StringField(_l("Share kept (%)"), validators=[Optional(), Length(max=8), PlainDecimal(2)])
    tier3_inclusive = BooleanField(_l("Including the score itself"))
    max_officer_points = WholeField(_l("Officer points at most (±)"), low=0, high=100, validators=[Optional()])
    objection_days = WholeField(_l("Objection period (days)"), low=1, high=90, validators=[DataRequired()])
    payment_mode = SelectField(_l("Payment"), choices=[SelectChoice(v, t) for v, t in MODES], validators=[DataRequired()])
