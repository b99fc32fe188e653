"""The input guard: every request value is checked before any view reads it.

- query arguments, form fields and uploaded file names: no NUL or other control characters,
  bounded length (:func:`refuse_hostile_input`, a ``before_request`` hook); a path segment no
  object can have (NUL, overlong, an ``<int:…>`` id past 32 bits) is an unknown object: 404,
  as unknown and foreign objects are everywhere;
- integers read with ``request.args.get(name, type=int)`` (or from the form) are bounded to the
  32-bit columns they are compared with (:class:`BoundedMultiDict`);
- JSON bodies are parsed once with a depth limit, finite numbers and storable strings
  (:class:`GuardedJSONProvider`, the app's JSON provider, which ``request.get_json`` uses).

Refusals raise :class:`core.inputs.InputError`, answered by :mod:`web.errors` with 400 (a page)
or 422 (the API's error shape), naming the field.
"""

from __future__ import annotations

from flask import abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict

from core.inputs import MAX_INT, InputError, check_text, loads_json, text_problem
from web.request_class import InMemoryRequest

MAX_NAME = 200  # a query or form key
MAX_QUERY_VALUE = 2_000
MAX_FORM_VALUE = 100_000  # a textarea (rule JSON, receipt slip); MAX_CONTENT_LENGTH bounds the rest
MAX_PATH_SEGMENT = 200
MAX_FILENAME = 255


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form data whose ``get(name, type=int)`` refuses numbers past 32 bits."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        """As :meth:`MultiDict.get`; an int outside ±2³¹ raises :class:`InputError`."""
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and abs(value) > MAX_INT:
            raise InputError(str(key)[:60], "数值超出范围", f"number out of range (at most {MAX_INT:,})")
        return value


class GuardedJSONProvider(DefaultJSONProvider):
    """The app's JSON provider: ``request.get_json()`` parses through
    :func:`core.inputs.loads_json` (depth-limited, finite numbers, storable strings)."""

    def loads(self, s, **kwargs):
        """Parse request JSON; a refused body raises :class:`InputError`."""
        return loads_json(s)


class GuardedRequest(InMemoryRequest):
    """The app's request class: query and form values with bounded integers; uploads parsed in
    memory, never spooled to a temporary file (``web.request_class``)."""

    parameter_storage_class = BoundedMultiDict


def _check(value: str, field: str, max_len: int) -> None:
    """Refuse a value that is not storable text."""
    check_text(value, field[:60] or "?", max_len)


def refuse_hostile_input() -> None:
    """``before_request``: refuse NUL, control characters and overlong values anywhere in the
    request line or form before a view reads them; parse an API body once (depth-limited)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and text_problem(value, MAX_PATH_SEGMENT):
            abort(404)  # a code no object can have: unknown, like a foreign one
        if isinstance(value, int) and not 0 <= value <= MAX_INT:
            abort(404)  # an id no row can have
    for key, values in request.args.lists():
        _check(key, key, MAX_NAME)
        for value in values:
            _check(value, key, MAX_QUERY_VALUE)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        request.get_json(silent=True)  # parse and cache now: a refused body raises InputError here
        return
    for key, values in request.form.lists():
        _check(key, key, MAX_NAME)
        for value in values:
            _check(value, key, MAX_FORM_VALUE)
    for key, upload in request.files.items(multi=True):
        _check(upload.filename or "", key, MAX_FILENAME)
