"""Messages in the reader's language, without Flask in the domain.

Domain code raises and records messages as English msgids marked with :func:`N_` (extracted by
Babel like ``_``): ``raise SettlementRefused(N_("no such delivery: %(ref)s", ref=ref))``. A
:class:`Msg` is translated only when it becomes text — ``str(msg)`` — through the translator the
web layer installs (:func:`install_translator`, Flask-Babel's ``gettext`` in the request's
locale); without one (CLI, jobs, tests) it is English. Stored texts (notifications) keep the
msgid and its parameters as JSON (:meth:`Msg.dumps`), so each reader sees them in their own
language; :func:`load` reads them back.

Older texts are "中文 / English" pairs; :func:`pick` shows the half of the reader's language,
so rows written before this module still read in one language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_MARK = '{"msgid":'


def _identity(text: str) -> str:
    return text


_translator: Callable[[str], str] = _identity
_language: Callable[[], str] = lambda: "en"  # noqa: E731


def install_translator(translate: Callable[[str], str], language: Callable[[], str]) -> None:
    """Called once by the web layer: how a msgid is translated and the current language
    (``"zh"`` or ``"en"``)."""
    global _translator, _language
    _translator, _language = translate, language


def current_language() -> str:
    """``"zh"`` or ``"en"``: the reader's language (English outside a request)."""
    try:
        return "zh" if _language().startswith("zh") else "en"
    except RuntimeError:  # outside a request context
        return "en"


def either(zh: str, en: str) -> str:
    """Of a Chinese and an English text, the reader's."""
    return zh if current_language() == "zh" else en


class Msg:
    """An English msgid with its parameters, translated when shown."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        try:
            text = _translator(self.msgid)
        except RuntimeError:  # outside a request context
            text = self.msgid
        shown = {k: str(v) if isinstance(v, Msg) else v for k, v in self.params.items()}
        return text % shown if shown else text

    def english(self) -> str:
        """The untranslated text (logs, the API's stable message)."""
        shown = {k: v.english() if isinstance(v, Msg) else v for k, v in self.params.items()}
        return self.msgid % shown if shown else self.msgid

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def dumps(self) -> str:
        """The message as stored text (JSON of msgid and parameters)."""
        params = {k: str(v) if isinstance(v, Msg) else v for k, v in self.params.items()}
        return json.dumps({"msgid": self.msgid, "params": params}, ensure_ascii=False, default=str)


def N_(msgid: str, **params: object) -> Msg:  # noqa: N802 - the gettext convention
    """Mark an English msgid for translation on display."""
    return Msg(msgid, **params)


def stored_text(message: Msg | str) -> str:
    """The text to store for a message: a ``Msg`` as JSON (translated when read), text as is."""
    return message.dumps() if isinstance(message, Msg) else message


def load(stored: str | None) -> Msg | str:
    """A stored text back as a :class:`Msg` (JSON written by :meth:`Msg.dumps`) or as itself."""
    if stored and stored.startswith(_MARK):
        try:
            data = json.loads(stored)
            return Msg(data["msgid"], **data.get("params", {}))
        except (ValueError, KeyError, TypeError):
            return stored
    return stored or ""


def pick(text: str, language: str | None = None) -> str:
    """The half of a "中文 / English" text in ``language`` (the reader's by default); any other
    text unchanged. The split is at the first " / " with Chinese before it and an ASCII letter
    after it (the English half may quote a Chinese name: "已发布 / published: 第一批")."""
    language = language or current_language()
    start = 0
    while (at := text.find(" / ", start)) >= 0:
        zh, en = text[:at], text[at + 3:]
        if _CJK.search(zh) and en[:1].isascii() and en[:1].isalpha():
            return zh if language == "zh" else en
        start = at + 3
    return text


def text_of(value: object, language: str | None = None) -> str:
    """Any message — a :class:`Msg`, a stored JSON message, a "中文 / English" pair, an
    exception carrying one — as text in the reader's language."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 else str(value)
    if isinstance(value, Msg):
        return str(value)
    loaded = load(value) if isinstance(value, str) else value
    return str(loaded) if isinstance(loaded, Msg) else pick(str(loaded), language)
