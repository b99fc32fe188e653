"""Forms of an executed result: the new batch from the published result, a corrected version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp


class ResultBatchForm(FlaskForm):
    """A batch of kind "executed result": its code, name, kind, demand deadline and the file."""

    code = StringField(_l("Batch code"), validators=[DataRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")])
    name = StringField(_l("Batch name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("drug", _l("Drugs")), SelectChoice("consumable", _l("Consumables"))])
    demand_deadline = DateTimeLocalField(_l("Demand deadline"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    file = FileField(_l("Published result (.xlsx workbook or .json)"), validators=[FileRequired()])


class CorrectionForm(FlaskForm):
    """A corrected result file with the reason for the correction."""

    file = FileField(_l("Corrected result (.xlsx workbook or .json)"), validators=[FileRequired()])
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)])
