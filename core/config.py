"""Configuration, read in one place from ``JICAI_*`` environment variables.

Everything else receives values from the :class:`Settings` object; no other module reads the
environment. ``create_app(test_config)`` may override any field for tests.

Reading settings writes nothing. The instance folder (``JICAI_INSTANCE_PATH``; default the
per-user data folder ``$XDG_DATA_HOME/jicai``, i.e. ``~/.local/share/jicai`` — never the current
directory) holds the SQLite file of a zero-setup run, held files and, where no secret is given
in the environment, the development key files. :class:`Secrets` creates a key file only when a
command first needs that key (a request needs the session key, sealing the bid keyring, an audit
write the audit key), with mode 0600.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from core.held import Limits
from core.keys import KeyRing, create_secret_file, load_or_create_keyring_file, read_keyring_file

PREFIX = "JICAI_"


@dataclass(frozen=True)
class Settings:
    """Every setting of a running platform, with zero-setup defaults for development."""

    database_url: str = ""
    secret_key: str = ""
    seal_kek: str = ""  # keyring text "id:base64url,…" for sealed bids; lives outside the database
    audit_key: str = ""  # keyring text "id:base64url,…" keying the audit chain (HMAC); outside the database
    audit_checkpoints: str = ""  # file the signed audit checkpoints are appended to (off when empty)
    instance_path: str = ""  # default: the per-user data folder (see default_instance_path)
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_Hans_CN"
    max_upload_mb: int = 20
    login_max_failures: int = 5  # failed password checks per account within the window
    login_window_seconds: int = 900
    login_address_free_failures: int = 20  # failures from one address before its logins slow down
    login_address_max_delay_seconds: int = 5  # cap of that delay (an address is never refused)
    session_idle_minutes: int = 30  # a session unused this long ends (server side)
    session_lifetime_hours: int = 12  # a session ends this long after login, used or not
    trusted_proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto are trusted
    secure_cookies: bool = False  # True in production (HTTPS)
    argon2_time_cost: int = 3  # argon2-cffi / RFC 9106 low-memory profile
    argon2_memory_kib: int = 65536
    held_keep_hours: int = 24  # annotated workbooks of rejected uploads, kept encrypted for their user
    held_max_file_mb: int = 32  # one held file at most (a larger annotated workbook is not kept)
    held_user_files: int = 5  # per user: holding one more removes the user's oldest
    held_user_mb: int = 64
    # rows an uploaded sheet may reach, per kind (refused from the sheet XML before it is read)
    upload_rows_demand: int = 20_000  # one hospital's demand sheet
    upload_rows_bulk_demand: int = 200_000  # a bureau file with many hospitals' rows
    upload_rows_bids: int = 10_000  # one supplier's bid workbook
    upload_rows_deliveries: int = 100_000  # one delivery workbook
    evaluation_workers: int = 2  # processes an evaluation solves its items in (1: in the requesting process)
    ocid_prefix: str = "ocds-jicai"  # the deployment's registered OCDS prefix (ocds-xxxxxx); unregistered default
    # the plan's targets of VBP varieties in force, shown on the dashboard (e.g. ≥ 500 drugs and
    # ≥ 15 classes of high-value consumables by 2025)
    vbp_target_drugs: int = 500
    vbp_target_consumable_classes: int = 15
    # targets of the platform purchase share of the provincial plans (whole percent): public
    # hospitals buy ≥ 90 % of their drug spend and ≥ 80 % of high-value consumables on the platform
    platform_share_target_drugs_pct: int = 90
    platform_share_target_consumables_pct: int = 80
    self_pay_days: int = 30  # days from acceptance a hospital has to pay a self-settled line (自行结算货款)
    extra: dict = field(default_factory=dict)

    @property
    def max_content_length(self) -> int:
        """Upload size limit in bytes for Flask's ``MAX_CONTENT_LENGTH``."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def held_limits(self) -> Limits:
        """The bounds of held files (``core.held``)."""
        mb = 1024 * 1024
        return Limits(self.held_keep_hours * 3600, self.held_max_file_mb * mb, self.held_user_files,
                      self.held_user_mb * mb)


def _coerce(raw: str, current: object) -> object:
    """Convert an environment string to the type of the field's default."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from ``JICAI_*`` variables, then apply explicit overrides (writes nothing)."""
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
    return _fill_defaults(settings, env)


def default_instance_path(environ: dict[str, str]) -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/jicai``, else ``~/.local/share/jicai``."""
    data_home = environ.get("XDG_DATA_HOME", "").strip()
    if data_home and Path(data_home).is_absolute():
        return Path(data_home) / "jicai"
    home = environ.get("HOME", "").strip()
    return (Path(home) if home else Path.home()) / ".local" / "share" / "jicai"


def _fill_defaults(settings: Settings, environ: dict[str, str]) -> Settings:
    """Derive the instance-folder defaults (the folder and the SQLite file); nothing is created."""
    raw = settings.instance_path.strip()
    instance = Path(raw).expanduser().resolve() if raw else default_instance_path(environ)
    changes: dict[str, object] = {"instance_path": str(instance)}
    if not settings.database_url:
        changes["database_url"] = f"sqlite:///{instance / 'jicai.sqlite3'}"
    return replace(settings, **changes)


class Secrets:
    """The platform's secrets: from the settings (the environment) when given, else development
    files in the instance folder — ``secret_key``, ``seal_keyring``, ``audit_key`` — each created
    (mode 0600, atomically) the first time it is needed, then read; cached per process."""

    def __init__(self, settings: Settings) -> None:
        """Nothing is read or created yet."""
        self.settings = settings
        self.folder = Path(settings.instance_path)
        self._lock = threading.Lock()
        self._cache: dict[str, object] = {}

    def _once(self, name: str, make):
        """The cached value of ``make()``, computed once."""
        with self._lock:
            if name not in self._cache:
                self._cache[name] = make()
            return self._cache[name]

    def secret_key(self) -> str:
        """Flask's session and CSRF key (``JICAI_SECRET_KEY``, else the ``secret_key`` file)."""
        if self.settings.secret_key:
            return self.settings.secret_key
        return self._once("secret_key", lambda: create_secret_file(
            self.folder / "secret_key", secrets.token_hex(32)).strip())

    def seal_keyring(self) -> KeyRing:
        """The keyring sealing bids (``JICAI_SEAL_KEK``, else the ``seal_keyring`` file)."""
        if self.settings.seal_kek:
            return self._once("seal_env", lambda: KeyRing.parse(self.settings.seal_kek))
        return self._once("seal_file", lambda: load_or_create_keyring_file(self.folder / "seal_keyring"))

    def audit_keyring(self, create: bool = True) -> KeyRing | None:
        """The keyring of the audit chain (``JICAI_AUDIT_KEY``, else the ``audit_key`` file).
        ``create=False`` (verifying) reads the file if there is one and never makes it."""
        if self.settings.audit_key:
            return self._once("audit_env", lambda: KeyRing.parse(self.settings.audit_key))
        path = self.folder / "audit_key"
        if create:
            return self._once("audit_file", lambda: load_or_create_keyring_file(path, "audit-dev-1"))
        return self._cache.get("audit_file") or read_keyring_file(path)  # type: ignore[return-value]

    @property
    def audit_checkpoints(self) -> Path | None:
        """The checkpoint file, when one is configured."""
        raw = self.settings.audit_checkpoints.strip()
        return Path(raw).expanduser() if raw else None
