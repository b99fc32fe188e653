"""Forms of the monitoring pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

FOLLOW_UPS = (("explain", _l("Ask for an explanation")), ("correct", _l("Demand a correction")),
              ("credit", _l("Refer for a credit record")))


class RunForm(FlaskForm):
    """Run the monitoring for a month."""

    month = StringField(_l("Month"), validators=[DataRequired(), Length(min=7, max=7)])


class FollowUpForm(FlaskForm):
    """A follow-up of an alert."""

    kind = SelectField(_l("Follow-up"), choices=[SelectChoice(v, t) for v, t in FOLLOW_UPS],
                       validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=2000)])


class NoteForm(FlaskForm):
    """A closing note or a reason."""

    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=2000)])


class ProvincePriceForm(FlaskForm):
    """Another province's price of a listed product."""

    product_code = StringField(_l("National code"), validators=[DataRequired(), Length(max=40)])
    province = StringField(_l("Province"), validators=[DataRequired(), Length(max=40)])
    price = StringField(_l("Price per pack (yuan)"), validators=[DataRequired(), Length(max=20)])
    observed_on = DateField(_l("Observed on"), validators=[DataRequired()])
    source = StringField(_l("Source"), validators=[Length(max=200)])


class UploadForm(FlaskForm):
    """A workbook of other provinces' prices."""

    file = FileField(_l("Workbook of other provinces' prices (.xlsx)"), validators=[FileRequired()])


class WatchForm(FlaskForm):
    """Put a product on the deep-monitoring list."""

    product_code = StringField(_l("National code"), validators=[DataRequired(), Length(max=40)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
