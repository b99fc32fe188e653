"""Login sessions and the role guard every route declares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g
from flask_login import LoginManager, UserMixin, current_user

from accounts.actor import Actor
from accounts.models import User
from accounts.roles import Role
from accounts.services import actor_for
from web.db import get_session

login_manager = LoginManager()
login_manager.login_view = "shell.login"
login_manager.login_message = None

#: endpoint function → roles allowed (``None`` marks a public endpoint).
ROUTE_ROLES: dict[str, frozenset[Role] | None] = {}
ALL_ROLES = frozenset(Role)


class LoginUser(UserMixin):
    """Flask-Login's view of a user: the id plus the service-level :class:`Actor`."""

    def __init__(self, user: User, actor: Actor) -> None:
        """Wrap a loaded user."""
        self.id = str(user.id)
        self.user = user
        self.actor = actor
        self.is_active_flag = user.active

    @property
    def is_active(self) -> bool:
        """Deactivated users are logged out on their next request."""
        return self.is_active_flag


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    """Reload the signed-in user on each request."""
    if not user_id.isdigit():
        return None
    session = get_session()
    user = session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return LoginUser(user, actor_for(session, user))


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
