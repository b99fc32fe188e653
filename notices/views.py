"""The inbox page: a user's notices, unread first, and marking one read (thin routes)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for

from accounts.actor import Forbidden
from core.clock import utcnow
from notices import lists, services
from web.auth import requires
from web.db import get_session
from web.forms import EmptyForm
from web.listing import list_query

bp = Blueprint("notices", __name__)


@bp.get("/inbox")
@requires()
def inbox():
    """The user's notifications."""
    page = lists.inbox_page(get_session(), g.actor, list_query(sorts=lists.NOTE_SORTS, filters=lists.NOTE_FILTERS))
    return render_template("notices/inbox.html", notes=page.rows, p=page, form=EmptyForm())


@bp.post("/inbox/<int:notification_id>/read")
@requires()
def read(notification_id: int):
    """Mark a notification read."""
    if EmptyForm().validate_on_submit():
        try:
            services.mark_read(get_session(), g.actor, notification_id, utcnow())
        except Forbidden:
            abort(404)
    return redirect(url_for("notices.inbox"))
