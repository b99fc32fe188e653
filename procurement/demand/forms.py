"""Forms of demand collection: the upload (with its CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class DemandUploadForm(FlaskForm):
    """The filled-in demand workbook."""

    file = FileField(_l("Demand workbook (.xlsx)"), validators=[FileRequired()])
