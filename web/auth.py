"""Login sessions and the role guard every route declares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from flask_login import LoginManager, UserMixin, current_user

from accounts.actor import Actor
from accounts.models import User
from accounts.roles import Role
from accounts.services import actor_for
from accounts.sessions import SessionPolicy, apply_check, check_session
from core.clock import utcnow
from web.db import SAFE_METHODS, app_settings, database, get_session

login_manager = LoginManager()
login_manager.login_view = "shell.login"
login_manager.login_message = None

#: endpoint function → roles allowed (``None`` marks a public endpoint).
ROUTE_ROLES: dict[str, frozenset[Role] | None] = {}
ALL_ROLES = frozenset(Role)


class LoginUser(UserMixin):
    """Flask-Login's view of a user: the id Flask-Login keeps in the cookie is the server-side
    session token (accounts.sessions), never the user id, so ending that session ends the cookie."""

    def __init__(self, user: User, actor: Actor, token: str) -> None:
        """Wrap a loaded user and the token of its session."""
        self.id = token
        self.user = user
        self.actor = actor
        self.is_active_flag = user.active

    @property
    def is_active(self) -> bool:
        """Deactivated users are logged out on their next request."""
        return self.is_active_flag


def session_policy() -> SessionPolicy:
    """Idle timeout and absolute lifetime from settings."""
    cfg = app_settings()
    return SessionPolicy(idle_seconds=cfg.session_idle_minutes * 60, lifetime_seconds=cfg.session_lifetime_hours * 3600)


@login_manager.user_loader
def _load_user(token: str) -> LoginUser | None:
    """Check the cookie's session on each request (ended, idle, expired, user deactivated)."""
    session = get_session()
    now = utcnow()
    check = check_session(session, token, session_policy(), now)
    if check.write is not None:
        if request.method in SAFE_METHODS:
            with database().write_session() as writer:  # a read request writes in its own short transaction
                apply_check(writer, check, now)
        else:
            apply_check(session, check, now)
    if check.user is None:
        return None
    return LoginUser(check.user, actor_for(session, check.user), token)


def current_actor() -> Actor | None:
    """The signed-in actor, or None."""
    if current_user.is_authenticated:
        return current_user.actor
    return None


def requires(*roles: Role) -> Callable:
    """Allow only signed-in users with one of ``roles`` (every role if none is given)."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                return login_manager.unauthorized()
            if actor.role not in allowed:
                abort(403)
            g.actor = actor
            return view(*args, **kwargs)

        ROUTE_ROLES[f"{view.__module__}.{view.__name__}"] = allowed
        wrapper.jicai_roles = allowed
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a route as reachable without signing in (login page, health, language)."""
    view.jicai_roles = None
    ROUTE_ROLES[f"{view.__module__}.{view.__name__}"] = None
    return view
