"""Admin pages for organisations and users (thin: parse, call a service, render)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from accounts import bank, lists, queries, services
from accounts.forms import (
    KIND_LABELS,
    ROLE_LABELS,
    BankChangeForm,
    DecisionForm,
    NewOrganisationForm,
    OrganisationForm,
    UserForm,
)
from accounts.models import Organisation
from accounts.passwords import PasswordPolicyError
from accounts.roles import Role
from accounts.sessions import live_sessions
from core.clock import utcnow
from web.auth import requires, session_policy
from web.db import get_session
from web.forms import EmptyForm
from web.listing import list_query

bp = Blueprint("accounts", __name__, url_prefix="/admin")
account_bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("/orgs")
@requires(Role.ADMIN)
def org_list():
    """Organisations in the admin's region, paged."""
    page = lists.org_page(get_session(), g.actor, list_query(sorts=lists.ORG_SORTS, filters=lists.ORG_FILTERS))
    return render_template("accounts/org_list.html", orgs=page.rows, p=page, kinds=list(KIND_LABELS.items()))


@bp.route("/orgs/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def org_new():
    """Register an organisation."""
    form = NewOrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(
                get_session(), g.actor, code=form.code.data, name=form.name.data,
                kind=form.kind.data, region_code=form.region_code.data,
                level=form.level.data or None, bank_name=form.bank_name.data or None,
                bank_cnaps=form.bank_cnaps.data or None, bank_account=form.bank_account.data or None)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Organisation created."), "success")
            return redirect(url_for("accounts.org_detail", org_id=org.id))
    return render_template("accounts/org_form.html", form=form, org=None)


@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def org_detail(org_id: int):
    """View and edit one organisation and its users."""
    db = get_session()
    org = queries.get_organisation(db, g.actor, org_id)
    if org is None:
        abort(404)
    form = OrganisationForm(obj=org)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.update_organisation(
                db, g.actor, org_id, name=form.name.data, region_code=form.region_code.data,
                level=form.level.data or None, active=form.active.data)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.org_detail", org_id=org_id))
    users = queries.list_users(db, g.actor, org_id=org_id)
    history = bank.bank_history(db, org.id)
    names = queries.usernames(db, {c.requested_by for c in history} | {c.decided_by for c in history})
    return render_template("accounts/org_form.html", form=form, org=org, users=users, roles=ROLE_LABELS,
                           bank_form=BankChangeForm(formdata=None), decision=DecisionForm(formdata=None),
                           history=history, names=names)


@bp.post("/orgs/<int:org_id>/bank-change")
@requires(Role.ADMIN)
def bank_change_request(org_id: int):
    """Request a new bank account for an organisation; a second admin must confirm it."""
    db = get_session()
    if queries.get_organisation(db, g.actor, org_id) is None:
        abort(404)
    form = BankChangeForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("accounts.org_detail", org_id=org_id))
    try:
        bank.request_bank_change(db, g.actor, org_id, bank_name=form.bank_name.data or None,
                                 bank_cnaps=form.bank_cnaps.data, bank_account=form.bank_account.data,
                                 reason=form.reason.data)
    except services.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Change requested. It takes effect once a second administrator confirms it."), "success")
    return redirect(url_for("accounts.org_detail", org_id=org_id))


@bp.get("/bank-changes")
@requires(Role.ADMIN)
def bank_changes():
    """Bank account changes of the region waiting for a second administrator."""
    db = get_session()
    rows = queries.pending_bank_changes(db, g.actor)
    names = queries.usernames(db, {c.requested_by for c, _o in rows})
    return render_template("accounts/bank_changes.html", rows=rows, names=names, decision=DecisionForm(formdata=None))


@bp.post("/bank-changes/<int:change_id>/confirm")
@requires(Role.ADMIN)
def bank_change_confirm(change_id: int):
    """A second administrator confirms a pending bank account change."""
    return _decide(change_id, bank.confirm_bank_change, _("Bank account changed."))


@bp.post("/bank-changes/<int:change_id>/reject")
@requires(Role.ADMIN)
def bank_change_reject(change_id: int):
    """Reject (or, as its requester, withdraw) a pending bank account change."""
    return _decide(change_id, bank.reject_bank_change, _("Change rejected."))


def _decide(change_id: int, decide, done: str):
    """Shared by confirm and reject: scope, CSRF, the decision, back to the organisation."""
    db = get_session()
    change = queries.get_bank_change(db, g.actor, change_id)
    if change is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decide(db, g.actor, change_id, form.note.data or "")
    except services.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("accounts.org_detail", org_id=change.org_id))



@bp.get("/users")
@requires(Role.ADMIN)
def user_list():
    """Users in the admin's region, paged, filtered and sorted on the server."""
    page = lists.user_page(get_session(), g.actor, list_query(sorts=lists.USER_SORTS, filters=lists.USER_FILTERS))
    return render_template("accounts/user_list.html", rows=page.rows, p=page, roles=ROLE_LABELS,
                           role_choices=[(k.value, v) for k, v in ROLE_LABELS.items()], form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def user_new():
    """Create a user in an organisation the admin may see."""
    form = UserForm()
    if form.validate_on_submit():
        db = get_session()
        org = queries.find_organisation(db, g.actor, form.org_code.data.strip())
        if org is None:
            flash(_("No such organisation in your region."), "error")
        else:
            try:
                services.create_user(db, g.actor, username=form.username.data,
                                     display_name=form.display_name.data,
                                     password=form.password.data, role=Role(form.role.data), org_id=org.id)
            except (services.AccountError, PasswordPolicyError) as exc:
                flash(str(exc), "error")
            else:
                flash(_("User created."), "success")
                return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_form.html", form=form)


@bp.post("/users/<int:user_id>/active")
@requires(Role.ADMIN)
def user_toggle(user_id: int):
    """Deactivate or reactivate a user (never deleted)."""
    db = get_session()
    user = queries.get_user(db, g.actor, user_id)
    if user is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.set_user_active(db, g.actor, user_id, not user.active)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Saved."), "success")
    return redirect(url_for("accounts.user_list"))


@account_bp.get("")
@requires()
def account():
    """The user's own account: organisation, bank account and its changes, signed-in sessions."""
    db = get_session()
    org = db.get(Organisation, g.actor.org_id)
    history = bank.bank_history(db, org.id)
    names = queries.usernames(db, {c.requested_by for c in history} | {c.decided_by for c in history})
    sessions = live_sessions(db, g.actor.user_id, session_policy(), utcnow())
    return render_template("accounts/account.html", org=org, history=history, names=names, sessions=sessions,
                           current=current_user.user, form=EmptyForm(), decision=None)


@account_bp.post("/<int:user_id>/logout-everywhere")
@requires()
def logout_everywhere(user_id: int):
    """End every session of a user: one's own (this one included), or, for an admin, a user of its region."""
    db = get_session()
    if user_id != g.actor.user_id and (g.actor.role != Role.ADMIN or queries.get_user(db, g.actor, user_id) is None):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ended = services.log_out_everywhere(db, g.actor, user_id)
    except services.AccountError:
        abort(404)
    if user_id == g.actor.user_id:
        logout_user()
        return redirect(url_for("shell.login"))
    flash(_("Signed out everywhere (%(n)d sessions).", n=ended), "success")
    return redirect(url_for("accounts.user_list"))
