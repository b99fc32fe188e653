"""Listing forms: a product, a decision with its reason, a price change, a workbook."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from web.forms import PlainDecimal

VBP_CHOICES = [SelectChoice("not_vbp", _l("Not in VBP")), SelectChoice("selected", _l("Selected in a VBP batch")),
               SelectChoice("non_selected", _l("Non-selected product of a VBP generic"))]


class ProductForm(FlaskForm):
    """One product to list."""

    code = StringField(_l("National medical-insurance code"), validators=[DataRequired(), Length(max=40)])
    generic_name = StringField(_l("Generic name"), validators=[DataRequired(), Length(max=100)])
    dosage_form = StringField(_l("Dosage form / material"), validators=[DataRequired(), Length(max=40)])
    spec = StringField(_l("Specification"), validators=[DataRequired(), Length(max=100)])
    pack = StringField(_l("Pack"), validators=[DataRequired(), Length(max=60)])
    mah = StringField(_l("Marketing-authorisation holder"), validators=[DataRequired(), Length(max=200)])
    price = StringField(_l("Listed price per pack (yuan)"), validators=[DataRequired(), Length(max=30),
                                                                       PlainDecimal(4)])
    vbp_status = SelectField(_l("VBP status"), choices=VBP_CHOICES, validators=[DataRequired()])
    vbp_batch_code = StringField(_l("VBP batch code"), validators=[Optional(), Length(max=40)])


class DecisionForm(FlaskForm):
    """Approve, or reject with a reason."""

    note = StringField(_l("Reason (required to reject)"), validators=[Optional(), Length(max=200)])


class PriceChangeForm(FlaskForm):
    """A new price from a date, with the reason."""

    price = StringField(_l("New price per pack (yuan)"), validators=[DataRequired(), Length(max=30), PlainDecimal(4)])
    effective_on = DateField(_l("In force from"), validators=[DataRequired()])
    reason = StringField(_l("Reason for the change"), validators=[DataRequired(), Length(max=200)])


class UploadForm(FlaskForm):
    """A listing workbook."""

    file = FileField(_l("Listing workbook (.xlsx)"), validators=[FileRequired()])


class RelationForm(FlaskForm):
    """A supplier names a distributor for a region (choices set by the view)."""

    distributor = SelectField(_l("Distributor"), validators=[DataRequired()])
    region = SelectField(_l("Region it delivers in"), validators=[DataRequired()])
