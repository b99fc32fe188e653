"""Admin forms for organisations and users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from accounts.roles import OrgKind, Role

KIND_LABELS = {
    OrgKind.HOSPITAL: _l("Hospital"), OrgKind.SUPPLIER: _l("Supplier"),
    OrgKind.BUREAU: _l("Bureau"), OrgKind.FUND: _l("Fund agency"),
    OrgKind.DISTRIBUTOR: _l("Distributor"),
}
ROLE_LABELS = {
    Role.HOSPITAL_BUYER: _l("Hospital buyer"), Role.SUPPLIER_REP: _l("Supplier rep"),
    Role.PRICE_OFFICER: _l("Price officer"), Role.SETTLEMENT_OFFICER: _l("Settlement officer"),
    Role.ADMIN: _l("Administrator"),
    Role.DISTRIBUTOR_REP: _l("Distributor rep"),
}


class OrganisationForm(FlaskForm):
    """Edit an organisation (its bank account changes through :class:`BankChangeForm`)."""

    code = StringField(_l("Official code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    region_code = StringField(_l("Region code"), validators=[DataRequired(), Regexp(r"^\d{6}$")])
    level = StringField(_l("Level"), validators=[Optional(), Length(max=20)])
    active = BooleanField(_l("Active"), default=True)


class NewOrganisationForm(OrganisationForm):
    """Register an organisation, with its first bank account."""

    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=100)])
    bank_cnaps = StringField(_l("CNAPS code"), validators=[Optional(), Regexp(r"^\d{12}$")])
    bank_account = StringField(_l("Bank account"), validators=[Optional(), Length(max=40)])


class BankChangeForm(FlaskForm):
    """Request a new bank account for an organisation (a second admin confirms it)."""

    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=100)])
    bank_cnaps = StringField(_l("CNAPS code"), validators=[DataRequired(), Regexp(r"^\d{12}$")])
    bank_account = StringField(_l("Bank account"), validators=[DataRequired(), Regexp(r"^\d{1,40}$")])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class DecisionForm(FlaskForm):
    """Confirm or reject a bank account change, with an optional note."""

    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class UserForm(FlaskForm):
    """Create a user."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60), Regexp(r"^[A-Za-z0-9_.-]+$")])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(k.value, v) for k, v in ROLE_LABELS.items()])
    org_code = StringField(_l("Organisation code"), validators=[DataRequired(), Length(max=40)])
