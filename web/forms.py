"""Shell forms (login, language) and the bounded fields every form uses for numbers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from core.i18n import either
from core.inputs import MAX_INT, InputError, decimal, whole


class WholeField(IntegerField):
    """A whole number from ``low`` to ``high`` (default 1 … 2³¹−1), read by
    :func:`core.inputs.whole`: no 400-digit capacity reaches a service. Forms use this, never a
    bare ``IntegerField`` (tests/test_architecture.py)."""

    def __init__(self, label=None, validators=None, *, low: int = 1, high: int = MAX_INT, **kwargs) -> None:
        """A bounded integer field."""
        super().__init__(label, validators, **kwargs)
        self.low, self.high = low, high

    def process_formdata(self, valuelist) -> None:
        """Read the submitted text; out of range or not a number is a field error."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = whole(valuelist[0], self.name, self.low, self.high)
        except InputError as exc:
            self.data = None
            raise ValueError(either(exc.zh, exc.en)) from exc


class PlainDecimal:
    """Validator: the text is a plain decimal :func:`core.inputs.decimal` accepts (no exponent,
    NaN, or more than ``places`` decimals); read it in the view with the same function."""

    def __init__(self, places: int = 6) -> None:
        """Allow at most ``places`` decimals."""
        self.places = places

    def __call__(self, form, field) -> None:
        """Raise a field error naming why the number is refused."""
        if field.data is None or not str(field.data).strip():
            return
        try:
            decimal(field.data, field.name, places=self.places)
        except InputError as exc:
            raise ValidationError(either(exc.zh, exc.en)) from exc


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (buttons that change state)."""
