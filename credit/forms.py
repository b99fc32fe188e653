"""Forms of the credit pages: a breach, the supplier's statement, decisions, a repair."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

KINDS = (("supply_failure", _l("Supply failure")), ("refusal_to_deliver", _l("Refusal to deliver")),
         ("price_manipulation", _l("Price manipulation")), ("kickback", _l("Kickbacks")))


class BreachForm(FlaskForm):
    """An officer records a breach with evidence."""

    supplier = SelectField(_l("Supplier"), choices=[], validate_choice=False, validators=[DataRequired()])
    kind = SelectField(_l("Kind of breach"), choices=[SelectChoice(v, t) for v, t in KINDS], validators=[DataRequired()])
    occurred_on = DateField(_l("Occurred on"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=4000)])
    evidence = FileField(_l("Evidence (up to 5 MB)"))
    takeover = HiddenField(validators=[Optional(), Length(max=12)])


class TextForm(FlaskForm):
    """A statement, a commitment or a note."""

    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=4000)])


class DecisionForm(FlaskForm):
    """Confirm / dismiss, approve / reject, grant / refuse, with a reason."""

    decision = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=4000)])


