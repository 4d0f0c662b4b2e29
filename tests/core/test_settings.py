"""Production refuses to start without its secrets, and is clean under `check --deploy`."""

import base64
import os
import subprocess
import sys

import pytest


def _run(env_extra, *args, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SANXIN_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    env.update({"SANXIN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sanxin.settings"}, **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "sanxin", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _key():
    return base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize(
    "missing",
    [
        "SANXIN_SECRET_KEY",
        "SANXIN_FIELD_KEYS",
        "SANXIN_INDEX_KEY",
        "SANXIN_CREDENTIAL_KEYS",
        "SANXIN_LEDGER_KEYS",
    ],
)
def test_production_refuses_to_start_without_a_secret(tmp_path, missing):
    env = {
        "SANXIN_ENV": "production",
        "SANXIN_SECRET_KEY": "x" * 60,
        "SANXIN_FIELD_KEYS": f"k1:{_key()}",
        "SANXIN_INDEX_KEY": _key(),
        "SANXIN_CREDENTIAL_KEYS": f"c1:{_key()}",
        "SANXIN_LEDGER_KEYS": f"l1:{_key()}",
        "ALLOWED_HOSTS": "sanxin.example.org",
    }
    env.pop(missing)
    r = _run(env, "check", tmp_path=tmp_path)
    assert r.returncode != 0
    assert f"{missing} must be set" in r.stderr


def test_check_deploy_is_clean_with_secrets(tmp_path):
    env = {
        "SANXIN_ENV": "production",
        "SANXIN_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "SANXIN_FIELD_KEYS": f"k1:{_key()}",
        "SANXIN_INDEX_KEY": _key(),
        "SANXIN_CREDENTIAL_KEYS": f"c1:{_key()}",
        "SANXIN_LEDGER_KEYS": f"l1:{_key()}",
        "ALLOWED_HOSTS": "sanxin.example.org",
    }
    r = _run(env, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_sqlite_runs_in_wal_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("embedded database only")
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        assert cur.fetchone()[0].lower() == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_redis_url_switches_the_task_queue_to_redis(tmp_path):
    code = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY; "
        "print(type(HUEY).__name__, HUEY.storage.conn.ping())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANXIN_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        {
            "SANXIN_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "sanxin.settings",
            "SANXIN_ENV": "development",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
        }
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["RedisHuey", "True"]
    env.pop("REDIS_URL")
    r = subprocess.run(
        [sys.executable, "-c", code.replace(", HUEY.storage.conn.ping()", "")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.stdout.split() == ["SqliteHuey"]
