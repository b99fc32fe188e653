"""Settlement forms: record a delivery, accept/return, apply, reconcile, run, upload files, refunds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from web.forms import PlainDecimal, WholeField

MONTH = Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Month as YYYY-MM, e.g. 2026-10"))


class DeliveryForm(FlaskForm):
    """One shipment against a signed contract."""

    contract_code = SelectField(_l("Contract"), validators=[DataRequired()])
    quantity = WholeField(_l("Quantity shipped (minimal units)"), validators=[DataRequired()])
    shipped_on = DateField(_l("Shipping date"), validators=[DataRequired()])
    supplier_ref = StringField(_l("Your reference (order / waybill)"), validators=[Optional(), Length(max=60)])


class AcceptForm(FlaskForm):
    """Accept all or part of a delivery."""

    quantity = WholeField(_l("Quantity accepted"), validators=[DataRequired()])
    accepted_on = DateField(_l("Acceptance date"), validators=[DataRequired()])


class ReturnForm(FlaskForm):
    """Send accepted goods back."""

    quantity = WholeField(_l("Quantity returned"), validators=[DataRequired()])
    returned_on = DateField(_l("Return date"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class ApplyForm(FlaskForm):
    """Apply for settlement of a batch's month."""

    batch_code = SelectField(_l("Batch"), validators=[DataRequired()])
    month = StringField(_l("Month"), validators=[DataRequired(), MONTH])


class ReconcileForm(FlaskForm):
    """The reconciliation form's CSRF token; the per-line decisions are read by the view."""


class RunForm(FlaskForm):
    """Run the settlement of a month."""

    month = StringField(_l("Month"), validators=[DataRequired(), MONTH])


class ConfirmForm(FlaskForm):
    """A bare confirmation (approve, release)."""


class UploadForm(FlaskForm):
    """A workbook or bank return file."""

    file = FileField(_l("File"), validators=[FileRequired()])


class RefundReceivedForm(FlaskForm):
    """A requested refund has arrived: the bank's reference and the date."""

    bank_ref = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=60)])
    received_on = DateField(_l("Date received"), validators=[DataRequired()])


class ReissueForm(FlaskForm):
    """Ask for (or reject) the re-issue of a failed payment, with a note."""

    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class RecoveryForm(FlaskForm):
    """An advance not offset by the cycle's end, recovered: amount (yuan), how, why, bank reference."""

    amount = StringField(_l("Amount (yuan)"), validators=[DataRequired(), Length(max=30), PlainDecimal(2)])
    method = SelectField(_l("How it came back"), choices=[SelectChoice("deducted", _l("Deducted from the hospital's next payment")),
                                                          SelectChoice("refunded", _l("Refunded by the hospital"))],
                         validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    bank_ref = StringField(_l("Bank reference"), validators=[Optional(), Length(max=60)])
