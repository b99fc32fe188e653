"""The form of the evaluation page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from web.forms import WholeField


class RunForm(FlaskForm):
    """Run a new evaluation; ``seen_version`` is the latest version the page showed (0: none),
    so a second click of the same page is recognised as a repeat."""

    seen_version = WholeField(validators=[InputRequired()], low=0)
