"""Configuration comes from JICAI_* variables, in one place."""

from core.config import load_settings


def test_env_prefix_and_defaults(tmp_path):
    env = {"JICAI_DATABASE_URL": "postgresql://x/y", "JICAI_MAX_UPLOAD_MB": "5",
           "JICAI_SECURE_COOKIES": "true", "JICAI_INSTANCE_PATH": str(tmp_path)}
    s = load_settings(env)
    assert s.database_url == "postgresql://x/y"
    assert s.max_content_length == 5 * 1024 * 1024
    assert s.secure_cookies is True
    assert len(s.secret_key) == 64 and (tmp_path / "secret_key").exists()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    s = load_settings({"JICAI_INSTANCE_PATH": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'jicai.sqlite3'}"
    assert load_settings({"JICAI_INSTANCE_PATH": str(tmp_path)}).secret_key == s.secret_key
