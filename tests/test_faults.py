"""Faults the site must survive, and the database layout that scales it."""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings

from articles.models import Article
from benchmarks.server import free_port
from newsroom.cache import ResilientRedisCache
from newsroom.db_router import PrimaryReplicaRouter, ReplicaRoutingMiddleware
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_every_cache_operation_degrades_to_a_miss_without_redis(caplog):
    cache = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})

    assert cache.get("key", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("key", 1) is False
    assert cache.has_key("key") is False
    assert cache.delete("key") is False
    assert cache.get_or_set("key", 5) == 5
    cache.set("key", 1)
    cache.delete_many(["a"])
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert "Redis unavailable" in caplog.text


def test_a_redis_outage_is_logged_once_a_minute_not_on_every_call(caplog, monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "_last_logged", 0.0)
    cache = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})

    for key in ("a", "b", "c"):
        cache.get(key)
        cache.set(key, 1)

    assert caplog.text.count("Redis unavailable") == 1


def test_pages_and_health_still_answer_while_redis_is_away():
    article = factories.article()
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{closed_port()}/0")):
        client = Client()
        page = client.get(article.get_absolute_url())
        health = client.get("/healthz")

    assert page.status_code == 200
    assert (health.status_code, health.json()["cache"]) == (200, "down")


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_the_resilient_cache_works_against_a_real_redis():
    cache = ResilientRedisCache("redis://127.0.0.1:6379/7", {})
    cache.clear()

    cache.set("key", {"a": 1}, 30)
    cache.add("counter", 1)
    cache.incr("counter")

    assert cache.get("key") == {"a": 1}
    assert cache.get("counter") == 2
    cache.clear()


# --- A read replica -----------------------------------------------------------------


def routed_database(request) -> str:
    decided = {}

    def view(request):
        decided["read"] = PrimaryReplicaRouter().db_for_read(Article)
        decided["write"] = PrimaryReplicaRouter().db_for_write(Article)
        return HttpResponse()

    ReplicaRoutingMiddleware(view)(request)
    assert decided["write"] == "default"
    return decided["read"]


def test_anonymous_reads_use_the_replica_and_editors_the_primary(rf):
    with_session = rf.get("/business/")
    with_session.COOKIES["sessionid"] = "an-editor"

    assert routed_database(rf.get("/business/")) == "replica"
    assert routed_database(rf.get("/api/v1/articles/")) == "replica"
    assert routed_database(rf.get("/admin/articles/article/")) == "default"
    assert routed_database(with_session) == "default"
    assert routed_database(rf.post("/admin/login/")) == "default"
    # Outside a request (commands, the shell) everything uses the primary.
    assert PrimaryReplicaRouter().db_for_read(Article) == "default"


def test_only_the_primary_is_migrated():
    router = PrimaryReplicaRouter()

    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica", "articles")


def test_a_replica_url_switches_the_router_on():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['replica']['NAME'], settings.DATABASE_ROUTERS, "
        "'newsroom.db_router.ReplicaRoutingMiddleware' in settings.MIDDLEWARE)"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/newsroom",
        "DATABASE_REPLICA_URL": "postgres://reader@10.0.0.9:5432/newsroom",
    }

    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == [
        "newsroom",
        "['newsroom.db_router.PrimaryReplicaRouter']",
        "True",
    ]


# --- SQLite under concurrent writers -----------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's locking is what this checks"
)
def test_two_writers_and_two_readers_for_20_seconds_lose_nothing():
    script = ROOT / "benchmarks" / "sqlite_concurrency.py"
    result = subprocess.run(
        [sys.executable, str(script), "--seconds", "20"],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    report = json.loads(result.stdout)

    assert report["errors"] == []
    assert report["lost"] == []
    assert all(count > 10 for count in report["committed"].values())
    assert report["reads"] > 100


# --- Work interrupted midway --------------------------------------------------------


class PowerCut(Exception):
    """Stands for anything that stops work halfway: a crash, a killed worker."""


def cut_power(*args, **kwargs):
    raise PowerCut


def test_a_publish_interrupted_midway_leaves_no_trace(monkeypatch):
    from django.contrib.auth.models import User
    from reversion.models import Version

    from articles import publishing
    from articles.models import Transition

    editor = User.objects.create_superuser("chief", password="x")
    article = factories.article(status=Article.Status.REVIEW, published_at=None)
    versions = Version.objects.count()
    # Called after the article is saved and its revision recorded.
    monkeypatch.setattr(publishing.recommendations, "update_article", cut_power)

    with pytest.raises(PowerCut):
        publishing.transition(article, "publish", user=editor, note="Go.")

    stored = Article.objects.get(pk=article.pk)
    assert (stored.status, stored.published_at) == (Article.Status.REVIEW, None)
    assert stored.edit_version == 0
    assert not Transition.objects.exists()
    assert Version.objects.count() == versions
    assert not Article.objects.live().exists()


def test_an_import_interrupted_midway_writes_nothing(monkeypatch, write_file):
    from django.core.management import call_command
    from reversion.models import Version

    from articles import importing
    from articles.models import Author, ReadNextPin, Section, Tag

    story = write_file(
        "story.txt",
        "Harbour Cranes Arrive in Port Town\n\nPublished on Jan 12, 2026.\n"
        "By Ada Quill and Ben Marsh\nSection: Harbours\n\n"
        "Three new cranes arrived on Monday.\n\nThey double what the quay lifts.\n\n"
        "BRAND NEW TOPIC\n",
    )
    before = {model: model.objects.count() for model in (Tag, Version, ReadNextPin)}
    # The last step of writing an article: everything else is already written.
    monkeypatch.setattr(importing, "save_revision", cut_power)

    with pytest.raises(PowerCut):
        call_command("import_articles", str(story))

    assert not Article.objects.exists()
    assert not Author.objects.exists()
    assert not Section.objects.filter(slug="harbours").exists()
    assert {model: model.objects.count() for model in before} == before


# --- PostgreSQL going away and coming back ------------------------------------------


class TcpProxy:
    """A TCP relay to the database that the test can cut and restore.

    Cutting closes the listening socket and every relayed connection, as a
    database host that went down would; the real server is never touched.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(
            target=self._accept, args=(self.listener,), daemon=True
        ).start()

    def cut(self) -> None:
        for sock in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def database_behind_a_proxy():
    """A fresh, migrated PostgreSQL database reached only through a TcpProxy."""
    import psycopg

    settings = connection.settings_dict
    server = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
    name = f"{settings['NAME']}_outage_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    proxy = TcpProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    proxy.start()
    try:
        yield proxy, f"postgres://{settings['USER']}@127.0.0.1:{proxy.port}/{name}"
    finally:
        proxy.cut()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL outage is what this checks"
)
def test_postgresql_going_away_is_a_503_and_service_resumes_by_itself(
    database_behind_a_proxy,
):
    proxy, database_url = database_behind_a_proxy
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "CRITICAL",
        # Persistent connections, checked before reuse: as in production.
        "DJANGO_CONN_MAX_AGE": "60",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
    }
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    server = subprocess.Popen(
        [gunicorn, "newsroom.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    # Not cached (search) or a fresh cache key each time: every answer below
    # needs the database.
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert get(base + "/search/?q=cranes")[0] == 200

        proxy.cut()
        page = get(base + "/search/?q=harbour")
        health = get(base + "/healthz")
        missing = get(base + "/no-such-section/")

        proxy.start()
        time.sleep(0.5)
        back = get(base + "/search/?q=quay")
    finally:
        server.terminate()
        server.wait(timeout=20)

    status, headers, body = page
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "cannot reach its database" in body
    assert "Traceback" not in body
    assert (health[0], health[1]["Retry-After"]) == (503, "30")
    assert json.loads(health[2])["database"] == "down"
    assert missing[0] == 503
    assert back[0] == 200
