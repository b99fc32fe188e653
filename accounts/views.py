"""Admin pages for organisations and users (thin: parse, call a service, render)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts import queries, services
from accounts.forms import KIND_LABELS, ROLE_LABELS, OrganisationForm, UserForm
from accounts.passwords import PasswordPolicyError
from accounts.roles import Role
from web.auth import requires
from web.db import get_session
from web.forms import EmptyForm

bp = Blueprint("accounts", __name__, url_prefix="/admin")


@bp.get("/orgs")
@requires(Role.ADMIN)
def org_list():
    """Organisations in the admin's region, paged."""
    page = max(request.args.get("page", 1, type=int), 1)
    kind = request.args.get("kind") or None
    orgs, total = queries.list_organisations(get_session(), g.actor, kind=kind, page=page)
    return render_template("accounts/org_list.html", orgs=orgs, total=total, page=page, kind=kind,
                           kinds=KIND_LABELS, per_page=50)


@bp.route("/orgs/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def org_new():
    """Register an organisation."""
    form = OrganisationForm()
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
                level=form.level.data or None, bank_name=form.bank_name.data or None,
                bank_cnaps=form.bank_cnaps.data or None, bank_account=form.bank_account.data or None,
                active=form.active.data)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.org_detail", org_id=org_id))
    users = queries.list_users(db, g.actor, org_id=org_id)
    return render_template("accounts/org_form.html", form=form, org=org, users=users, roles=ROLE_LABELS)


@bp.get("/users")
@requires(Role.ADMIN)
def user_list():
    """Users in the admin's region."""
    rows = queries.list_users(get_session(), g.actor)
    return render_template("accounts/user_list.html", rows=rows, roles=ROLE_LABELS, form=EmptyForm())


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
        services.set_user_active(db, g.actor, user_id, not user.active)
        flash(_("Saved."), "success")
    return redirect(url_for("accounts.user_list"))
