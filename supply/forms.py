"""Forms of the supply pages: a supply problem, the supplier's answer, an escalation step, a
takeover's decision and the restoration of the primary."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from web.forms import WholeField

KINDS = (("late", _l("Not delivered on time")), ("short", _l("Short delivery")), ("quality", _l("Quality problem")))


class ProblemForm(FlaskForm):
    """A hospital's report of a supply problem."""

    kind = SelectField(_l("What went wrong"), choices=[SelectChoice(v, t) for v, t in KINDS], validators=[DataRequired()])
    due_on = DateField(_l("Date the goods were due"), validators=[DataRequired()])
    ordered_qty = WholeField(_l("Quantity ordered"), validators=[Optional()], low=0)
    received_qty = WholeField(_l("Quantity received"), validators=[Optional()], low=0)
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=4000)])
    evidence = FileField(_l("Evidence (optional, up to 5 MB)"))


class AnswerForm(FlaskForm):
    """The supplier's answer, with an optional recovery date."""

    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=4000)])
    recovery_on = DateField(_l("Proposed recovery date (optional)"), validators=[Optional()])


class EscalateForm(FlaskForm):
    """One escalation step with what was said or written."""

    step = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=4000)])


class DecideForm(FlaskForm):
    """Approve or reject (with a reason)."""

    decision = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=4000)])


class RestoreForm(FlaskForm):
    """Restore the primary supplier from a date."""

    restored_on = DateField(_l("Primary supplies again from"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


class TakeoverForm(FlaskForm):
    """The takeover declaration (cities and hospitals come as the checked ``units``)."""

    item = HiddenField(validators=[DataRequired(), Length(max=40)])
    supplier = HiddenField(validators=[DataRequired(), Length(max=40)])
    starts_on = DateField(_l("Takeover from"), validators=[DataRequired()])
    ends_on = DateField(_l("Until (optional: to the end of the contracts)"), validators=[Optional()])
    taker = SelectField(_l("Taker"), choices=[], validate_choice=False, validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])
    problem = HiddenField(validators=[Optional(), Length(max=12)])
