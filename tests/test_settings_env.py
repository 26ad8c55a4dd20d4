"""The settings helpers: strict values, loud failures naming the variable, secrets from files."""

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jingyuan_renovation.env import env_bool, env_int, env_list, env_ratio, env_str

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("raw,expected", [("true", True), ("TRUE", True), ("1", True), ("false", False),
                                          ("off", False), ("0", False)])
def test_env_bool_accepts_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("JINGYUAN_X", raw)
    assert env_bool("JINGYUAN_X", not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "maybe", "2", "是"])
def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("JINGYUAN_X", raw)
    with pytest.raises(ImproperlyConfigured, match="JINGYUAN_X"):
        env_bool("JINGYUAN_X", False)


def test_env_bool_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("JINGYUAN_X", raising=False)
    assert env_bool("JINGYUAN_X", True) is True
    monkeypatch.setenv("JINGYUAN_X", "  ")
    assert env_bool("JINGYUAN_X", False) is False


def test_env_int_rejects_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("JINGYUAN_N", "12a")
    with pytest.raises(ImproperlyConfigured, match="JINGYUAN_N"):
        env_int("JINGYUAN_N", 1)
    monkeypatch.setenv("JINGYUAN_N", "3")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("JINGYUAN_N", 1, minimum=10)
    monkeypatch.setenv("JINGYUAN_N", "42")
    assert env_int("JINGYUAN_N", 1) == 42


def test_secret_read_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-file\n", encoding="utf-8")
    monkeypatch.setenv("JINGYUAN_SECRET_KEY_FILE", str(secret))
    monkeypatch.setenv("JINGYUAN_SECRET_KEY", "ignored-when-file-given")
    assert env_str("JINGYUAN_SECRET_KEY") == "s3cr3t-from-file"


def test_unreadable_secret_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("JINGYUAN_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="JINGYUAN_SECRET_KEY_FILE"):
        env_str("JINGYUAN_SECRET_KEY")


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("JINGYUAN_HOSTS", "a.example, b.example,,")
    assert env_list("JINGYUAN_HOSTS", []) == ["a.example", "b.example"]


def _start_with(**overrides):
    """Import the settings in a fresh interpreter with the given environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGYUAN_") and k not in ("DATABASE_URL",
                                                                                                 "REDIS_URL")}
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "jingyuan_renovation.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG)"  # noqa: E501
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_defaults_are_sqlite_eager_celery_and_debug_off():
    result = _start_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "False"]


def test_database_and_redis_urls_select_postgresql_and_a_real_broker():
    result = _start_with(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/9")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "False"]


@pytest.mark.parametrize("overrides,named", [
    ({"JINGYUAN_DEBUG": "yes please"}, "JINGYUAN_DEBUG"),
    ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ({"JINGYUAN_SESSION_SECONDS": "forever"}, "JINGYUAN_SESSION_SECONDS"),
])
def test_bad_environment_stops_start_up_naming_the_variable(overrides, named):
    result = _start_with(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_deploy_check_refuses_the_development_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGYUAN_")}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "jingyuan.E001" in result.stderr


@pytest.mark.parametrize("raw,expected", [("3/4", Fraction(3, 4)), ("0.75", Fraction(3, 4)), ("2/3", Fraction(2, 3)),
                                          (" 4 / 5 ", Fraction(4, 5)), ("1", Fraction(1))])
def test_env_ratio_keeps_thresholds_exact(monkeypatch, raw, expected):
    monkeypatch.setenv("JINGYUAN_R", raw)
    assert env_ratio("JINGYUAN_R", "1/2") == expected


@pytest.mark.parametrize("raw", ["0", "1.2", "-1/2", "three quarters", "1/0"])
def test_env_ratio_rejects_values_outside_zero_to_one_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("JINGYUAN_R", raw)
    with pytest.raises(ImproperlyConfigured, match="JINGYUAN_R"):
        env_ratio("JINGYUAN_R", "1/2")


def test_env_ratio_default_when_unset(monkeypatch):
    monkeypatch.delenv("JINGYUAN_R", raising=False)
    assert env_ratio("JINGYUAN_R", "2/3") == Fraction(2, 3)
