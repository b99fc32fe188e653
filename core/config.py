"""Configuration, read in one place from ``JICAI_*`` environment variables.

Everything else receives values from the :class:`Settings` object; no other module reads the
environment. ``create_app(test_config)`` may override any field for tests.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PREFIX = "JICAI_"


@dataclass(frozen=True)
class Settings:
    """Every setting of a running platform, with zero-setup defaults for development."""

    database_url: str = ""
    secret_key: str = ""
    seal_kek: str = ""  # keyring text "id:base64url,…" for sealed bids; lives outside the database
    instance_path: str = "instance"
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_Hans_CN"
    max_upload_mb: int = 20
    login_max_failures: int = 5  # per account or per address within the window
    login_window_seconds: int = 900
    secure_cookies: bool = False  # True in production (HTTPS)
    argon2_time_cost: int = 3  # argon2-cffi / RFC 9106 low-memory profile
    argon2_memory_kib: int = 65536
    ocid_prefix: str = "ocds-jicai"  # the deployment's registered OCDS prefix (ocds-xxxxxx); unregistered default
    extra: dict = field(default_factory=dict)

    @property
    def max_content_length(self) -> int:
        """Upload size limit in bytes for Flask's ``MAX_CONTENT_LENGTH``."""
        return self.max_upload_mb * 1024 * 1024


def _coerce(raw: str, current: object) -> object:
    """Convert an environment string to the type of the field's default."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from ``JICAI_*`` variables, then apply explicit overrides."""
    env = os.environ if environ is None else environ
    base = Settings()
    values: dict[str, object] = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        key = PREFIX + f.name.upper()
        if key in env:
            values[f.name] = _coerce(env[key], getattr(base, f.name))
    values.update(overrides)
    settings = replace(base, **values)
    return _fill_defaults(settings)


def _fill_defaults(settings: Settings) -> Settings:
    """Derive the instance-folder defaults: SQLite file and secret key file."""
    instance = Path(settings.instance_path).resolve()
    changes: dict[str, object] = {"instance_path": str(instance)}
    if not settings.database_url:
        changes["database_url"] = f"sqlite:///{instance / 'jicai.sqlite3'}"
    if not settings.secret_key:
        changes["secret_key"] = _instance_secret(instance / "secret_key", 32)
    return replace(settings, **changes)


def _instance_secret(path: Path, nbytes: int) -> str:
    """Read a development secret from the instance folder, creating it (mode 0600) if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
