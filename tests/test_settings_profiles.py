"""Settings profiles, each loaded in a fresh interpreter with the environment an operator sets."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET_KEY = secrets.token_urlsafe(50)[:50]


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the repository root with only ``env`` set (plus PATH and HOME)."""
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env={**base, "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run("manage.py", *args, **env)


def production(**env: str) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "hub.settings.production", **env}


def assert_refused_with_one_line(result: subprocess.CompletedProcess, *mentions: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    for text in mentions:
        assert text in message


def settings_summary(module: str, **env: str) -> dict:
    """What ``module`` chose for the database, cache and channel layer under ``env``."""
    code = (
        "import importlib, json;"
        f"s = importlib.import_module({module!r});"
        "print(json.dumps({"
        "'database': s.DATABASES['default']['ENGINE'],"
        "'cache': s.CACHES['default']['BACKEND'],"
        "'channel_layer': s.CHANNEL_LAYERS['default']['BACKEND'],"
        "}))"
    )
    result = run("-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- Production refuses to start without its secrets ---------------------------------------------


def test_production_without_secret_key_and_allowed_hosts_refuses_to_start():
    result = manage("check", **production())
    assert_refused_with_one_line(result, "refuses to start", "SECRET_KEY", "ALLOWED_HOSTS")


def test_production_without_allowed_hosts_names_only_that_variable():
    result = manage("check", **production(SECRET_KEY=STRONG_SECRET_KEY))
    assert_refused_with_one_line(result, "ALLOWED_HOSTS")
    assert "SECRET_KEY" not in result.stderr


def test_production_without_secret_key_names_only_that_variable():
    result = manage("check", **production(ALLOWED_HOSTS="example.com"))
    assert_refused_with_one_line(result, "SECRET_KEY")
    assert "ALLOWED_HOSTS" not in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    ["short-key", "ab" * 40],
    ids=["too-short", "too-few-distinct-characters"],
)
def test_production_with_weak_secret_key_refuses_to_start(weak_key):
    result = manage("check", **production(SECRET_KEY=weak_key, ALLOWED_HOSTS="example.com"))
    assert_refused_with_one_line(result, "SECRET_KEY is too weak")


def test_production_with_secrets_passes_deploy_checks():
    env = production(SECRET_KEY=STRONG_SECRET_KEY, ALLOWED_HOSTS="example.com")
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_seed_demo_refuses_under_production_settings():
    env = production(SECRET_KEY=STRONG_SECRET_KEY, ALLOWED_HOSTS="example.com")
    result = manage("seed_demo", **env)
    assert result.returncode != 0
    assert "refuses" in result.stderr
    assert "Traceback" not in result.stderr


# --- Data stores follow the environment ----------------------------------------------------------


def test_bare_machine_uses_sqlite_and_in_memory_backends():
    assert settings_summary("hub.settings.dev") == {
        "database": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "channel_layer": "channels.layers.InMemoryChannelLayer",
    }


def test_database_url_selects_postgresql():
    summary = settings_summary(
        "hub.settings.dev", DATABASE_URL="postgres://hub:secret@db.example:5432/hub"
    )
    assert summary["database"] == "django.db.backends.postgresql"


def test_redis_url_selects_redis_for_cache_and_channel_layer():
    summary = settings_summary("hub.settings.dev", REDIS_URL="redis://redis.example:6379/0")
    assert summary["cache"] == "hub.cache.ResilientRedisCache"
    assert summary["channel_layer"] == "channels_redis.core.RedisChannelLayer"


def test_production_never_imports_the_bench_or_the_demo_data():
    """Every app's bench and demo modules are imported only by `manage.py bench` and
    `seed_demo`: starting the site (apps, URLs, admin hooks, the ASGI app) loads none of them."""
    code = (
        "import sys, django; django.setup()\n"
        "import hub.asgi, hub.urls\n"
        "from wagtail import hooks; hooks.search_for_hooks()\n"
        "ours = ('hub', 'community', 'feedback', 'events')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ours\n"
        "             and m.rpartition('.')[2] in ('bench', 'demo')))\n"
    )
    env = production(SECRET_KEY=STRONG_SECRET_KEY, ALLOWED_HOSTS="example.com")
    result = run("-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
