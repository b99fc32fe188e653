"""Forms of contract years and renewal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from web.forms import WholeField


class YearForm(FlaskForm):
    """An officer's step on one contract year (open its re-confirmation, approve it)."""

    year = WholeField(validators=[DataRequired()], low=2, high=10)
    include_unanswered = BooleanField(_l("Also fix the bureau's proposal for hospitals that have not answered"))


class AnswerForm(FlaskForm):
    """A hospital's answer on one contract year: the volume (the proposal to confirm it) and why."""

    volume = WholeField(_l("Agreed volume"), validators=[InputRequired()], low=0, high=10**9)
    reason = TextAreaField(_l("Reason for a change"), validators=[Optional(), Length(max=2000)])


class ConfirmAllForm(FlaskForm):
    """A hospital confirms every proposal of a year it has not answered."""

    year = WholeField(validators=[DataRequired()], low=2, high=10)


class RenewalForm(FlaskForm):
    """The renewal batch's code and name, and how it is renewed."""

    code = StringField(_l("Batch code"), validators=[DataRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")])
    name = StringField(_l("Batch name"), validators=[DataRequired(), Length(max=200)])
    mode = SelectField(_l("Renewal with"), choices=[
        SelectChoice("with_volume", _l("Volume and price (带量采购)")),
        SelectChoice("price_only", _l("Price negotiation only, without volume (只议价不带量)"))])
