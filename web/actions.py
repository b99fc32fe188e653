"""One step a user asked for on a page: run the use case, flash its refusal or its success, and go
back; a target outside the actor's scope answers 404 (as if it did not exist)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect

from accounts.actor import Forbidden
from core.i18n import Msg, stored_text


def act(action: Callable[[], object], success: str, target: str, refused: type[Exception] | tuple[type[Exception], ...]):
    """Run ``action``; flash ``success`` or the refusal's message (``refused``: the package's error
    types); redirect to ``target``."""
    try:
        action()
        flash(success, "success")
    except refused as exc:
        reason = exc.args[0] if exc.args else str(exc)
        flash(stored_text(reason) if isinstance(reason, Msg) else reason, "error")  # a Msg: translated when shown
    except Forbidden:
        abort(404)
    return redirect(target)
