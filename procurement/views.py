"""Batch and catalog pages (thin: parse, call one service, render)."""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.inputs import decimal
from core.money import MoneyError, parse_price_e4, price_e4_to_decimal
from cycles.closing import open_items
from procurement import lists, queries, rule_fields, services
from procurement.forms import (
    BatchEditForm,
    BatchForm,
    BatchItemForm,
    ItemForm,
    RegionsForm,
    TransitionForm,
    aware,
)
from procurement.lifecycle import IRREVERSIBLE, BatchStatus, Procedure
from procurement.rules import RuleError
from procurement.timeline import TimelineError, timeline_problems
from web.auth import requires
from web.db import app_settings, get_session, visible_batch
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query

bp = Blueprint("procurement", __name__)
MANAGERS = (Role.PRICE_OFFICER, Role.ADMIN)


def _timeline(form: BatchEditForm) -> services.Timeline:
    """The form's timeline as aware datetimes in the platform's time zone (fields that did not
    parse are empty)."""
    tz = app_settings().timezone

    def value(field):
        return None if field.errors else field.data
    return services.Timeline(aware(value(form.demand_deadline), tz), aware(value(form.bid_deadline), tz),
                             aware(value(form.opening_at), tz), value(form.cycle_start), value(form.cycle_end))


def _save_timeline(form: BatchEditForm, save) -> bool:
    """Validate the form, then save through the service; on any refusal mark every field at
    fault — the form's own checks and the timeline rule together — and flash once."""
    if form.validate_on_submit():
        try:
            save()
            return True
        except TimelineError as exc:
            form.mark(exc.problems, _)
        except services.BatchError as exc:
            flash(str(exc), "error")
            return False
    else:
        form.mark(timeline_problems(_timeline(form), utcnow()), _)
    flash(_("Please correct the highlighted fields."), "error")
    return False


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
    """Create a draft batch; a refused one comes back with its fields marked and kept."""
    form = BatchForm()
    made = []

    def create():
        made.append(services.create_batch(get_session(), g.actor, code=form.code.data, name=form.name.data,
                                          kind=form.kind.data, timeline=_timeline(form)))
    if request.method == "POST":
        if _save_timeline(form, create):
            flash(_("Batch created."), "success")
            return redirect(url_for("procurement.batch_detail", code=made[0].code))
        return render_template("procurement/batch_new.html", form=form), 422
    return render_template("procurement/batch_new.html", form=form)


def _detail_page(code: str, form: BatchEditForm | None = None, status: int = 200,
                 rule_errors: dict[str, str] | None = None, posted=None):
    """The batch page (with the edit form or the rule settings as submitted, when refused)."""
    view = queries.batch_view(get_session(), g.actor, code, utcnow())
    if view is None:
        abort(404)
    if form is None and g.actor.role in MANAGERS:
        form = BatchEditForm(formdata=None, obj=view.batch)
        tz = ZoneInfo(app_settings().timezone)
        for name in ("demand_deadline", "bid_deadline", "opening_at"):
            value = getattr(view.batch, name)
            getattr(form, name).data = value.astimezone(tz).replace(tzinfo=None) if value else None
    return render_template("procurement/batch_detail.html", view=view, form=form,
                           rule_groups=rule_fields.display_groups(view.rules, _, view.batch.procedure),
                           rule_controls=rule_fields.control_values(view.rules, posted),
                           rule_errors=rule_errors or {}, item_form=BatchItemForm(),
                           regions_form=RegionsForm(), transition_form=TransitionForm(),
                           manager=g.actor.role in MANAGERS, price=price_e4_to_decimal,
                           closing=_closing_items(view)), status


def _closing_items(view) -> list:
    """What is still open before a batch in execution may close (its page lists them with links)."""
    if view.batch.status != "execution" or g.actor.role not in MANAGERS:
        return []
    return open_items(get_session(), view.batch, utcnow())


@bp.get("/batches/<code>")
@requires()
def batch_detail(code: str):
    """A batch: timeline, rules, items, regions, history, and the actions an officer may take."""
    return _detail_page(code)


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
    """Save a draft batch's name and timeline; a refusal shows the page again with the values
    entered and every field at fault marked."""
    batch = visible_batch(code)
    form = BatchEditForm()

    def save():
        timeline = _timeline(form)
        if batch.procedure == Procedure.RESULT:  # the cycle comes from the result file; no bidding times
            timeline = replace(timeline, bid_deadline=None, opening_at=None, cycle_start=batch.cycle_start,
                               cycle_end=batch.cycle_end)
        services.update_batch(get_session(), g.actor, code, name=form.name.data, timeline=timeline)
    try:
        saved = _save_timeline(form, save)
    except Forbidden:
        abort(404)
    if saved:
        flash(_("Saved."), "success")
        return _back(code)
    return _detail_page(code, form, 422)


@bp.post("/batches/<code>/rules")
@requires(*MANAGERS)
def batch_rules(code: str):
    """Save changed rule settings; a refused setting is marked on its field, in the reader's
    language, and the page keeps what was entered."""
    batch = visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    values, unreadable = rule_fields.read_form(request.form)
    errors = {name: _(text) for name, text in unreadable.items()}
    if not errors:
        try:
            changes = rule_fields.changes(services.rules_of(batch), values)
            if changes:
                services.update_batch(get_session(), g.actor, code, rule_changes=changes)
        except RuleError as exc:
            name, text = rule_fields.refusal(exc, _)
            errors[name] = text
        except services.BatchError as exc:
            flash(str(exc), "error")
            return _back(code)
        except Forbidden:
            abort(404)
    if errors:
        flash(_("Please correct the highlighted fields."), "error")
        return _detail_page(code, status=422, rule_errors=errors, posted=request.form)
    flash(_("Saved."), "success")
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
    """Move the batch through its lifecycle; an irreversible step only with its box ticked."""
    visible_batch(code)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _back(code)
    if form.action.data in IRREVERSIBLE and not form.confirm.data:
        flash(_("This cannot be undone: tick the confirmation box to go ahead."), "error")
    else:
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
