"""Application factory: ``flask --app app run`` serves the platform, ``flask --app app …`` runs its CLI."""

from __future__ import annotations

from flask import Flask

from accounts import passwords
from core.config import Settings, load_settings
from core.db import Database


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. ``test_config`` overrides settings (lower-case keys) or Flask config (upper-case)."""
    overrides = {k: v for k, v in (test_config or {}).items() if k.islower()}
    flask_config = {k: v for k, v in (test_config or {}).items() if k.isupper()}
    settings: Settings = load_settings(**overrides)

    app = Flask(__name__, instance_path=settings.instance_path, instance_relative_config=False,
                template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES="translations",
    )
    app.config.update(flask_config)
    passwords.configure(settings.argon2_time_cost, settings.argon2_memory_kib)
    app.extensions["jicai.settings"] = settings
    app.extensions["jicai.db"] = Database(settings.database_url)

    from web.cli import register_cli
    from web.setup import init_web

    init_web(app, settings.timezone)
    register_cli(app)
    return app
