"""Application factory: ``flask --app app run`` serves the platform, ``flask --app app …`` runs its CLI."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from accounts import passwords
from core import audit
from core.config import Secrets, Settings, load_settings
from core.db import Database


class Platform(Flask):
    """Flask whose session key is resolved when the first request arrives, not at start-up:
    a CLI command that serves no request (``flask --help``, ``audit verify``) makes no key."""

    def request_context(self, environ):
        """Resolve the secret key (``JICAI_SECRET_KEY`` or the instance file) before the session opens."""
        if not self.config.get("SECRET_KEY"):
            self.config["SECRET_KEY"] = self.extensions["jicai.secrets"].secret_key()
        return super().request_context(environ)


def create_app(test_config: dict | None = None) -> Platform:
    """Build the app. ``test_config`` overrides settings (lower-case keys) or Flask config (upper-case).
    Building it reads settings and writes nothing; each key is made by the first thing that needs it."""
    overrides = {k: v for k, v in (test_config or {}).items() if k.islower()}
    flask_config = {k: v for k, v in (test_config or {}).items() if k.isupper()}
    settings: Settings = load_settings(**overrides)
    secrets = Secrets(settings)

    app = Platform(__name__, instance_path=settings.instance_path, instance_relative_config=False,
                   template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=settings.secret_key or None,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SELF_PAY_DAYS=settings.self_pay_days,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_lifetime_hours),
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES="translations",
    )
    app.config.update(flask_config)
    if settings.trusted_proxy_hops:
        # the client address and scheme come from X-Forwarded-* only as far as our own proxies
        # set them; with 0 hops (the default) those headers are ignored (anyone can send them)
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    passwords.configure(settings.argon2_time_cost, settings.argon2_memory_kib)
    audit.configure(secrets.audit_keyring, secrets.audit_checkpoints)
    app.extensions["jicai.settings"] = settings
    app.extensions["jicai.secrets"] = secrets
    app.extensions["jicai.db"] = Database(settings.database_url)

    from web.cli import register_cli
    from web.setup import init_web

    init_web(app, settings.timezone)
    register_cli(app)
    return app
