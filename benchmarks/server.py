"""Run Newsroom as in production, on 127.0.0.1 and a free port, with the demo.

Used by the throughput benchmark, the Lighthouse script and the Lighthouse
test: debug off, gunicorn with two sync workers, WhiteNoise serving compressed
and hashed static files, a fresh SQLite database holding the demo newsroom.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STARTUP_SECONDS = 60
NEV_STORY = (
    "/business/2026/02/04/foreign-automakers-pursue-partnerships-in-chinas-nev-sector/"
)


def free_port() -> int:
    """A free port on 127.0.0.1: from NEWSROOM_TEST_PORTS (e.g. 8250-8299) if set.

    On a shared machine each checkout keeps to its own range of ports.
    """
    first, _, last = os.environ.get("NEWSROOM_TEST_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in NEWSROOM_TEST_PORTS={first}-{last}")


def manage(env: dict[str, str], *arguments: str, timeout: int = 300) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=PROJECT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=timeout,
    )


def add_account(env: dict[str, str], username: str, role: str, password: str) -> None:
    manage(env, "create_staff", username, "--role", role)
    manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import User; "
        f"user = User.objects.get(username={username!r}); "
        f"user.set_password({password!r}); user.save()",
    )


def _wait_until_healthy(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {base_url}/healthz in time")


def production_env(
    workdir: Path, *, database_url: str = "", redis_url: str = ""
) -> dict[str, str]:
    """The environment of a production-mode process serving on the loopback."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback: no TLS to redirect to or keep cookies on.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # production settings, not the tests'
    return env


@contextmanager
def gunicorn_server(
    env: dict[str, str], *, workers: int = 2, port: int | None = None
) -> Iterator[str]:
    """Run gunicorn on 127.0.0.1 with ``env``; yield the base URL, then stop it."""
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent))
    if gunicorn is None:
        raise RuntimeError("gunicorn is not installed beside this Python")
    port = port or free_port()
    server = subprocess.Popen(
        [
            gunicorn,
            "newsroom.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=PROJECT,
        env=env,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def production_server(
    *,
    workers: int = 2,
    redis_url: str = "",
    accounts: dict[str, tuple[str, str]] | None = None,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    setup: Callable[[dict[str, str]], None] | None = None,
) -> Iterator[str]:
    """Serve the demo with production settings; yield the base URL, then stop.

    ``accounts`` maps usernames to (role, password) for staff to create;
    ``setup`` is called with the server's environment once the demo is loaded
    (to run more management commands); ``port`` defaults to a free one.
    """
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-server-"))
    env = {**production_env(workdir, redis_url=redis_url), **(extra_env or {})}
    try:
        manage(env, "migrate", "--noinput")
        # Before any content: saving an article renders its page parts, whose
        # static URLs come from the manifest collectstatic writes.
        manage(env, "collectstatic", "--noinput")
        manage(env, "load_demo")
        # As a deploy does: every article page's parts rendered ahead.
        manage(env, "rebuild_page_data")
        for username, (role, password) in (accounts or {}).items():
            add_account(env, username, role, password)
        if setup is not None:
            setup(env)
        with gunicorn_server(env, workers=workers, port=port) as base_url:
            yield base_url
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def create_partner_key(env: dict[str, str], name: str = "Benchmark partner") -> str:
    """Make a partner key in the server's database and return it."""
    output = subprocess.run(
        [PYTHON, "manage.py", "create_partner_key", name],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return output.split()[-1]
