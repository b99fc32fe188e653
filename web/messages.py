"""Domain messages in the reader's language: the web side of ``core.i18n``.

:func:`install` hands Flask-Babel's ``gettext`` and the request's locale to ``core.i18n``, so a
``Msg`` raised or stored by domain code is translated when a page shows it; :func:`message_text`
(the ``|msg`` filter, used for flashed messages, refusals and notifications) also shows the
reader's half of older "中文 / English" texts.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale, gettext

from core import i18n


def _language() -> str:
    """The request's language (Chinese when there is no request)."""
    return str(get_locale() or "zh") if has_request_context() else "zh"


def install() -> None:
    """Translate domain messages with the request's catalog."""
    i18n.install_translator(gettext, _language)


def message_text(value: object) -> str:
    """Any message (``Msg``, stored JSON, "中文 / English", an exception) in the reader's language."""
    return i18n.text_of(value)
