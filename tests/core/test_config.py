"""Configuration comes from JICAI_* variables, in one place; reading it writes nothing, and each
development key is made (mode 0600) in the instance folder only by what needs it (issue 13, item 20)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from core.config import Secrets, load_settings
from core.keys import KeyRing

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_env_prefix_and_defaults(tmp_path):
    env = {"JICAI_DATABASE_URL": "postgresql://x/y", "JICAI_MAX_UPLOAD_MB": "5",
           "JICAI_SECURE_COOKIES": "true", "JICAI_INSTANCE_PATH": str(tmp_path / "inst")}
    s = load_settings(env)
    assert s.database_url == "postgresql://x/y"
    assert s.max_content_length == 5 * 1024 * 1024
    assert s.secure_cookies is True
    assert s.secret_key == "" and not (tmp_path / "inst").exists()  # reading settings writes nothing


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    s = load_settings({"JICAI_INSTANCE_PATH": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'jicai.sqlite3'}"


def test_the_default_instance_folder_is_per_user_never_the_working_directory(tmp_path):
    assert load_settings({"HOME": str(tmp_path)}).instance_path == str(tmp_path / ".local/share/jicai")
    xdg = load_settings({"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")})
    assert xdg.instance_path == str(tmp_path / "data" / "jicai")
    assert not (tmp_path / "data").exists()


def test_development_keys_are_made_on_first_use_with_mode_0600(tmp_path):
    folder = tmp_path / "instance"
    secrets = Secrets(load_settings({"JICAI_INSTANCE_PATH": str(folder)}))
    assert secrets.audit_keyring(create=False) is None and not folder.exists()  # verifying makes no key
    key = secrets.secret_key()
    ring = secrets.seal_keyring()
    audit_ring = secrets.audit_keyring()
    assert _files(folder) == ["audit_key", "seal_keyring", "secret_key"]
    assert _mode(folder) == 0o700 and all(_mode(folder / name) == 0o600 for name in _files(folder))
    again = Secrets(load_settings({"JICAI_INSTANCE_PATH": str(folder)}))  # another process reads them
    assert (again.secret_key(), again.seal_keyring(), again.audit_keyring(create=False)) == (key, ring, audit_ring)
    assert audit_ring.current.key_id == "audit-dev-1" and len(key) == 64


def test_secrets_from_the_environment_make_no_files(tmp_path):
    ring = KeyRing.parse("prod-1:" + "A" * 43)
    secrets = Secrets(load_settings({"JICAI_INSTANCE_PATH": str(tmp_path / "i"), "JICAI_SECRET_KEY": "k" * 64,
                                     "JICAI_SEAL_KEK": ring.to_text(), "JICAI_AUDIT_KEY": ring.to_text()}))
    assert (secrets.secret_key(), secrets.seal_keyring(), secrets.audit_keyring()) == ("k" * 64, ring, ring)
    assert not (tmp_path / "i").exists()


def _flask(args, cwd: Path, home: Path, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICAI_", "XDG_", "FLASK_"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), JICAI_DATABASE_URL=database_url)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=cwd, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_flask_commands_write_nothing_into_the_working_directory(db, database_url, tmp_path):
    cwd, home = tmp_path / "checkout", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    for args in (["--help"], ["audit", "--help"], ["audit", "verify"], ["jobs", "--help"]):
        result = _flask(args, cwd, home, database_url)
        assert result.returncode == 0, (args, result.stderr)
    assert _files(cwd) == [] and _files(home) == []  # read-only commands create nothing anywhere
    made = _flask(["audit", "checkpoint"], cwd, home, database_url)  # needs the audit key: makes it
    assert made.returncode == 0, made.stderr
    key = home / ".local/share/jicai/audit_key"
    assert _files(cwd) == [] and _mode(key) == 0o600 and _mode(key.parent) == 0o700


def test_the_app_makes_its_session_key_on_the_first_request_only(db, database_url, tmp_path):
    from app import create_app

    folder = tmp_path / "instance"
    app = create_app({"database_url": database_url, "instance_path": str(folder)})
    app.test_cli_runner().invoke(args=["--help"])
    assert not folder.exists()
    app.extensions["jicai.db"].dispose()
    app.extensions["jicai.db"] = db
    assert app.test_client().get("/login").status_code == 200
    assert _files(folder) == ["secret_key"] and _mode(folder / "secret_key") == 0o600
