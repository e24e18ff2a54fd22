import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def load_settings(**environment: str) -> subprocess.CompletedProcess:
    """Import newsroom.settings in a fresh interpreter with only this environment."""
    env = {"PATH": os.environ.get("PATH", ""), **environment}
    script = (
        "import json; from newsroom import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
        "'engine': s.DATABASES['default']['ENGINE'], "
        "'options': s.DATABASES['default'].get('OPTIONS', {}), "
        "'cache': s.CACHES['default']['BACKEND'], "
        "'static': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe():

    result = load_settings(DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["debug"] is False
    assert loaded["hosts"] == []
    assert loaded["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout():

    result = load_settings(DJANGO_DEBUG="1")

    loaded = json.loads(result.stdout)
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in loaded["options"]["init_command"]
    assert loaded["options"]["transaction_mode"] == "IMMEDIATE"
    assert loaded["options"]["timeout"] >= 5


def test_database_and_cache_come_from_the_environment():

    result = load_settings(
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://newsroom@db.example:5432/news",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DJANGO_ALLOWED_HOSTS="news.example.com, www.news.example.com",
    )

    loaded = json.loads(result.stdout)
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["cache"] == "newsroom.cache.ResilientRedisCache"
    assert loaded["hosts"] == ["news.example.com", "www.news.example.com"]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_a_clear_error(value):
    result = load_settings(DJANGO_DEBUG=value)

    assert result.returncode != 0
    assert f"DJANGO_DEBUG must be true or false, not '{value}'" in result.stderr


def gunicorn_settings(**environment: str) -> dict:
    script = (
        "import json, runpy; c = runpy.run_path('newsroom/gunicorn.py'); "
        "print(json.dumps({k: c[k] for k in ('bind', 'workers', 'timeout', "
        "'accesslog', 'forwarded_allow_ips')}))"
    )
    env = {"PATH": os.environ.get("PATH", ""), **environment}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_gunicorn_sizes_its_workers_from_the_cpu_count_and_logs_each_request():
    loaded = gunicorn_settings()

    assert loaded["workers"] == os.cpu_count() * 2 + 1
    assert loaded["timeout"] == 30
    assert loaded["accesslog"] == "-"
    assert loaded["forwarded_allow_ips"] == "127.0.0.1"


def test_gunicorn_settings_come_from_the_environment():
    loaded = gunicorn_settings(
        WEB_CONCURRENCY="3",
        GUNICORN_TIMEOUT="12",
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.2",
    )

    assert (loaded["workers"], loaded["timeout"], loaded["bind"]) == (
        3,
        12,
        "0.0.0.0:9000",
    )
    assert loaded["forwarded_allow_ips"] == "10.0.0.2"
