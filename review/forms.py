"""Forms of review, publicity and objections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from web.forms import WholeField


class SubmitForm(FlaskForm):
    """Submit a finished evaluation version for review."""

    version = WholeField(validators=[DataRequired()])


class DecisionForm(FlaskForm):
    """Approve, or send back with a reason."""

    decision = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=4000)])


class ObjectionForm(FlaskForm):
    """A supplier's objection with an optional attachment."""

    text = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(max=8000)])
    attachment = FileField(_l("Attachment (optional)"))


class AnswerForm(FlaskForm):
    """An officer's answer to an objection."""

    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=8000)])


class SignAllForm(FlaskForm):
    """Sign every contract awaiting the organisation: only with the box ticked."""

    confirm = BooleanField(_l("I have read the contracts and confirm them all; this cannot be undone."))
