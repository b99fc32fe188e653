"""Batch and catalog pages (thin: parse, call one service, render)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.inputs import decimal
from core.money import MoneyError, parse_price_e4, price_e4_to_decimal
from procurement import lists, queries, services
from procurement.forms import (
    BatchForm,
    BatchItemForm,
    ItemForm,
    RegionsForm,
    TransitionForm,
    aware,
    rule_changes_from,
    rule_rows,
)
from procurement.lifecycle import BatchStatus
from procurement.rules import RuleError
from web.auth import requires
from web.db import app_settings, get_session, visible_batch
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query

bp = Blueprint("procurement", __name__)
MANAGERS = (Role.PRICE_OFFICER, Role.ADMIN)


def _timeline(form: BatchForm) -> services.Timeline:
    """The form's timeline as aware datetimes in the platform's time zone."""
    tz = app_settings().timezone
    return services.Timeline(aware(form.demand_deadline.data, tz), aware(form.bid_deadline.data, tz),
                             aware(form.opening_at.data, tz), form.cycle_start.data, form.cycle_end.data)


@bp.get("/batches")
@requires()
def batch_list():
    """Batches visible to the user, paged, filtered by code/name and status, sorted on the server."""
    page = lists.batch_page(get_session(), g.actor, list_query(sorts=lists.BATCH_SORTS, filters=lists.BATCH_FILTERS))
    return render_template("procurement/batch_list.html", batches=page.rows, p=page,
                           statuses=[(s.value, label(s.value, "batch")) for s in BatchStatus])


@bp.route("/batches/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def batch_new():
    """Create a draft batch."""
    form = BatchForm()
    if form.validate_on_submit():
        try:
            batch = services.create_batch(get_session(), g.actor, code=form.code.data, name=form.name.data,
                                          kind=form.kind.data, timeline=_timeline(form))
        except services.BatchError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Batch created."), "success")
            return redirect(url_for("procurement.batch_detail", code=batch.code))
    return render_template("procurement/batch_new.html", form=form)


@bp.get("/batches/<code>")
@requires()
def batch_detail(code: str):
    """A batch: timeline, rules, items, regions, history, and the actions an officer may take."""
    view = queries.batch_view(get_session(), g.actor, code, utcnow())
    if view is None:
        abort(404)
    form = BatchForm(obj=view.batch) if g.actor.role in MANAGERS else None
    if form is not None:
        tz = ZoneInfo(app_settings().timezone)
        for name in ("demand_deadline", "bid_deadline", "opening_at"):
            value = getattr(view.batch, name)
            getattr(form, name).data = value.astimezone(tz).replace(tzinfo=None) if value else None
    return render_template("procurement/batch_detail.html", view=view, form=form,
                           rules=rule_rows(view.rules), item_form=BatchItemForm(),
                           regions_form=RegionsForm(), transition_form=TransitionForm(),
                           manager=g.actor.role in MANAGERS, price=price_e4_to_decimal)


def _back(code: str):
    """Redirect to the batch page."""
    return redirect(url_for("procurement.batch_detail", code=code))


def _guarded(action):
    """Run a service call, flashing its refusal instead of failing."""
    try:
        action()
    except (services.BatchError, RuleError, MoneyError) as exc:
        flash(str(exc), "error")
        return False
    except Forbidden:
        abort(404)
    flash(_("Saved."), "success")
    return True


@bp.post("/batches/<code>/edit")
@requires(*MANAGERS)
def batch_edit(code: str):
    """Save a draft batch's name and timeline."""
    visible_batch(code)
    form = BatchForm()
    form.code.data = code
    if form.validate_on_submit():
        _guarded(lambda: services.update_batch(get_session(), g.actor, code, name=form.name.data,
                                               timeline=_timeline(form)))
    else:
        flash(_("Please correct the highlighted fields."), "error")
    return _back(code)


@bp.post("/batches/<code>/rules")
@requires(*MANAGERS)
def batch_rules(code: str):
    """Save changed rule settings; a bad setting is refused with its name."""
    batch = visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    changes = rule_changes_from(request.form, services.rules_of(batch))
    if changes:
        _guarded(lambda: services.update_batch(get_session(), g.actor, code, rule_changes=changes))
    return _back(code)


@bp.post("/batches/<code>/items")
@requires(*MANAGERS)
def batch_add_item(code: str):
    """Add an item with its maximum valid price."""
    visible_batch(code)
    form = BatchItemForm()
    if form.validate_on_submit():
        def add():
            prev = parse_price_e4(form.previous_price.data) if form.previous_price.data else None
            services.add_batch_item(get_session(), g.actor, code, form.item_code.data.strip(),
                                    parse_price_e4(form.max_valid_price.data), prev)
        _guarded(add)
    return _back(code)


@bp.post("/batches/<code>/items/<item_code>/remove")
@requires(*MANAGERS)
def batch_remove_item(code: str, item_code: str):
    """Take an item out of a draft batch."""
    visible_batch(code)
    if EmptyForm().validate_on_submit():
        _guarded(lambda: services.remove_batch_item(get_session(), g.actor, code, item_code))
    return _back(code)


@bp.post("/batches/<code>/regions")
@requires(*MANAGERS)
def batch_regions(code: str):
    """Set the supply regions."""
    visible_batch(code)
    form = RegionsForm()
    if form.validate_on_submit():
        codes = [c for c in re.split(r"[\s,，、]+", form.region_codes.data) if c]
        _guarded(lambda: services.set_batch_regions(get_session(), g.actor, code, codes))
    return _back(code)


@bp.post("/batches/<code>/transition")
@requires(*MANAGERS)
def batch_transition(code: str):
    """Move the batch through its lifecycle."""
    visible_batch(code)
    form = TransitionForm()
    if form.validate_on_submit():
        _guarded(lambda: services.transition_batch(get_session(), g.actor, code, form.action.data,
                                                   reason=form.reason.data or ""))
    return _back(code)


@bp.get("/catalog/items")
@requires()
def item_list():
    """The catalog, paged, filtered by code/name and kind, sorted on the server."""
    page = lists.item_page(get_session(), list_query(sorts=lists.ITEM_SORTS, filters=lists.ITEM_FILTERS))
    return render_template("procurement/item_list.html", items=page.rows, p=page,
                           kinds=[("drug", _("Drug")), ("consumable", _("Consumable"))],
                           form=ItemForm() if g.actor.role == Role.ADMIN else None)


@bp.post("/catalog/items")
@requires(Role.ADMIN)
def item_new():
    """Add a catalog item."""
    form = ItemForm()
    if form.validate_on_submit():
        fields = {k: (v or None) for k, v in form.data.items() if k != "csrf_token"}
        fields["consistency_evaluated"] = bool(form.consistency_evaluated.data)
        strength = (form.rep_strength.data or "").strip()
        fields["rep_strength"] = decimal(strength, "rep_strength") if strength else None
        _guarded(lambda: services.create_item(get_session(), g.actor, **fields))
    else:
        flash(_("Please correct the highlighted fields."), "error")
    return redirect(url_for("procurement.item_list"))


@bp.get("/catalog/regions")
@requires()
def region_list():
    """Regions (GB/T 2260) and their children."""
    parent = request.args.get("parent", "000000")
    return render_template("procurement/region_list.html", parent=parent, trail=queries.region_trail(get_session(), parent),
                           regions=queries.list_regions(get_session(), parent))
