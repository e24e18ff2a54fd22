"""Load held: readers, partners and two editors against 100,000 articles.

    make load                                     # the full profile on SQLite
    .venv/bin/python -m benchmarks.load --duration 120 --articles 100000
    .venv/bin/python -m benchmarks.load \\
        --database-url postgres://postgres@127.0.0.1:5432/newsroom_load \\
        --redis-url redis://127.0.0.1:6379/6
    .venv/bin/python -m benchmarks.load --short   # CI: small corpus, 45 s

Builds a database of synthetic articles once (generate_corpus, the search
index and Read These Next) and keeps it: a SQLite file under .cache/load/, or
a PostgreSQL template database named after the one given. Each run serves a
fresh copy with gunicorn (2 sync workers, production settings, 127.0.0.1
only) and runs Locust headless for a fixed time: 10 readers going through
home, article, tag, entity, search and feed pages and the partner API (list
and detail), and two editors signed in to the admin who open stories and save
them, with the optimistic-lock version their form was opened at, both working
on the same few stories. Then it measures /healthz and an article page (from
the cache and uncached) with wrk, as benchmarks/throughput.py does, and checks
in the database that every save the admin acknowledged is in the article and
in its revisions.

The exit status is 0 only when every budget holds: no server error or failed
request, no lost edit, p95 within 300 ms for each kind of page and 400 ms for
each API request. The throughput shares are reported; --throughput-budgets
enforces them too. --no-latency-budgets reports the p95 figures without
failing on them, for a machine shared with other work (CI uses it).
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from benchmarks import docs, throughput
from benchmarks.server import (
    PROJECT,
    PYTHON,
    gunicorn_server,
    manage,
    production_env,
)

PAGE_P95_MS = 300
API_P95_MS = 400
CACHED_SHARE = 0.80
UNCACHED_SHARE = 0.20
EDITORS = 2
SEED = 1
SHORT_ARTICLES = 2000
SHORT_DURATION = 45
CACHE_DIR = PROJECT / ".cache" / "load"
BUILD_STEP_SECONDS = 3600
# Marks a PostgreSQL database as the load run's own, which a run may drop.
RUN_DATABASE_COMMENT = "Newsroom load run: dropped and recreated by each run"
# Pages are rendered once before the clock starts, so the run measures a
# server that has been up a while rather than each worker's first requests.
WARM_UP_PATHS = 3


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, help="seconds of load (default 120)")
    parser.add_argument(
        "--articles", type=int, help="articles in the corpus (default 100,000)"
    )
    parser.add_argument("--users", type=int, default=10, help="concurrent readers")
    parser.add_argument(
        "--database-url",
        default="",
        metavar="URL",
        help="a PostgreSQL database to serve from (recreated on each run); "
        "SQLite when absent",
    )
    parser.add_argument("--redis-url", default="", metavar="URL", help="cache in Redis")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--no-api", action="store_true", help="leave out the partner API requests"
    )
    parser.add_argument(
        "--short",
        action="store_true",
        help=f"CI: {SHORT_ARTICLES:,} articles, {SHORT_DURATION} s, nothing written",
    )
    parser.add_argument(
        "--throughput-budgets",
        action="store_true",
        help=f"fail unless cached ≥ {CACHED_SHARE:.0%} and uncached "
        f"≥ {UNCACHED_SHARE:.0%} of /healthz",
    )
    parser.add_argument(
        "--no-latency-budgets",
        action="store_true",
        help="report p95 without failing on it (errors and lost edits still fail)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    arguments = parser.parse_args(argv)
    arguments.duration = arguments.duration or (
        SHORT_DURATION if arguments.short else 120
    )
    arguments.articles = arguments.articles or (
        SHORT_ARTICLES if arguments.short else 100_000
    )
    if not 10 <= arguments.duration <= 3600:
        parser.error("--duration must be between 10 and 3600 seconds")
    if not 100 <= arguments.articles <= 1_000_000:
        parser.error("--articles must be between 100 and 1,000,000")
    if not 1 <= arguments.users <= 100:
        parser.error("--users must be between 1 and 100")
    if arguments.port and not 1024 <= arguments.port <= 65535:
        parser.error("--port must be between 1024 and 65535")
    if arguments.database_url and not arguments.database_url.startswith(
        ("postgres://", "postgresql://")
    ):
        parser.error("--database-url must be a postgres:// URL (SQLite is the default)")
    if arguments.redis_url and not arguments.redis_url.startswith("redis://"):
        parser.error("--redis-url must be a redis:// URL")
    for url in (arguments.database_url, arguments.redis_url):
        host = urllib.parse.urlsplit(url).hostname
        if url and host not in {"127.0.0.1", "localhost"}:
            parser.error(f"the load run stays on this machine, not on {host}")
    arguments.write = not (arguments.no_write or arguments.short)
    return arguments


# --- The corpus, built once --------------------------------------------------


def build_corpus(env: dict[str, str], articles: int) -> None:
    """Write the synthetic corpus, its search index and Read These Next."""
    steps = [
        ["migrate", "--noinput"],
        # Page parts rendered on save need the static files' manifest.
        ["collectstatic", "--noinput"],
        ["generate_corpus", "--articles", str(articles), "--seed", str(SEED)],
        ["rebuild_search_index"],
        ["rebuild_recommendations"],
    ]
    for step in steps:
        # Minutes each at 100,000 articles, more on a busy machine.
        manage(env, *step, timeout=BUILD_STEP_SECONDS)


def sqlite_database(workdir: Path, articles: int) -> str:
    """Copy the cached SQLite corpus into ``workdir``; build it first if need be."""
    corpus = CACHE_DIR / f"corpus-{articles}.sqlite3"
    if not corpus.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        building = corpus.with_suffix(".building")
        for leftover in CACHE_DIR.glob(f"{building.name}*"):
            leftover.unlink()
        say(f"Building a corpus of {articles:,} articles in {corpus} (once) …")
        env = production_env(workdir, database_url=f"sqlite:///{building}")
        build_corpus(env, articles)
        # One self-contained file: the write-ahead log folded in.
        with sqlite3.connect(building) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        building.rename(corpus)
    shutil.copyfile(corpus, workdir / "db.sqlite3")
    return f"sqlite:///{workdir / 'db.sqlite3'}"


def postgres_database(workdir: Path, url: str, articles: int) -> str:
    """Recreate the database at ``url`` from the cached template corpus."""
    import psycopg
    from psycopg import sql

    def run(connection, statement: str, *names: str) -> None:
        connection.execute(sql.SQL(statement).format(*map(sql.Identifier, names)))

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    template = f"{name}_corpus_{articles}"
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
    if not exists:
        building = f"{template}_building"
        say(f"Building a corpus of {articles:,} articles in {template} (once) …")
        with psycopg.connect(maintenance, autocommit=True) as connection:
            run(connection, "DROP DATABASE IF EXISTS {}", building)
            run(connection, "CREATE DATABASE {}", building)
        building_url = parts._replace(path=f"/{building}").geturl()
        build_corpus(production_env(workdir, database_url=building_url), articles)
        # What autovacuum would do soon after a bulk load, done now.
        with psycopg.connect(building_url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        with psycopg.connect(maintenance, autocommit=True) as connection:
            run(connection, "ALTER DATABASE {} RENAME TO {}", building, template)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = %s",
            [name],
        ).fetchone()
        if found and found[0] != RUN_DATABASE_COMMENT:
            raise SystemExit(
                f"The database {name} exists and was not made by a load run: "
                "name another one in --database-url (each run drops and "
                "recreates it)."
            )
        run(connection, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
        run(connection, "CREATE DATABASE {} TEMPLATE {}", name, template)
        connection.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(RUN_DATABASE_COMMENT)
            )
        )
    return url


def forget_cached_pages(redis_url: str) -> None:
    """Drop the site's keys from a previous run, and only those."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="newsroom:*", count=1000):
        client.delete(key)


# --- The run -------------------------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_locust(
    base_url: str, workdir: Path, arguments: argparse.Namespace
) -> list[tuple]:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "NEWSROOM_LOAD_PLAN": str(workdir / "plan.json"),
        "NEWSROOM_LOAD_OUT": str(workdir),
        "NEWSROOM_LOAD_API": "0" if arguments.no_api else "1",
    }
    users = arguments.users + EDITORS
    command = [
        PYTHON,
        "-m",
        "locust",
        "--locustfile",
        str(PROJECT / "benchmarks" / "load_users.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{arguments.duration}s",
        "--stop-timeout",
        "15",
        "--host",
        base_url,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    subprocess.run(
        command,
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=arguments.duration + 120,
        stdout=sys.stderr,
    )
    return json.loads((workdir / "timings.json").read_text(encoding="utf-8"))


def warm_up(base_url: str, plan: dict) -> None:
    paths = ["/", "/healthz", *plan["articles"][:WARM_UP_PATHS]]
    paths += [f"/tags/{slug}/" for slug in plan["tags"][:WARM_UP_PATHS]]
    paths += [f"/entities/{slug}/" for slug in plan["entities"][:WARM_UP_PATHS]]
    paths += ["/feeds/rss.xml", f"/search/?q={plan['search_words'][0]}"]
    for _worker in range(2):
        for path in paths:
            urllib.request.urlopen(base_url + path, timeout=60).read()


def measure_throughput(base_url: str, article: str, short: bool) -> dict[str, float]:
    wrk = throughput.ensure_wrk()
    seconds, rounds = (3, 1) if short else (5, 3)
    targets = {
        "/healthz": ("/healthz", ""),
        "article, from the cache": (article, ""),
        "article, uncached": (article, throughput.UNIQUE_QUERY_LUA),
    }
    for path, _lua in targets.values():
        for _worker in range(2):
            urllib.request.urlopen(base_url + path, timeout=60).read()
    runs: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (path, lua) in targets.items():
            runs[name].append(
                throughput.requests_per_second(wrk, base_url + path, lua, seconds)
            )
    return {name: sorted(values)[len(values) // 2] for name, values in runs.items()}


def verify_edits(env: dict[str, str], workdir: Path) -> dict:
    edits = workdir / "edits.jsonl"
    if not edits.exists():
        return {"acknowledged": 0, "lost": []}
    output = subprocess.run(
        [PYTHON, "-m", "benchmarks.load_data", "verify", str(edits)],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    return json.loads(output)


# --- Results ---------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: at least ``share`` of values are at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(timings: list[tuple]) -> dict[str, dict]:
    by_name: dict[str, list[tuple]] = {}
    for name, milliseconds, status, error in timings:
        by_name.setdefault(name, []).append((milliseconds, status, error))
    summary = {}
    for name, rows in sorted(by_name.items()):
        times = [row[0] for row in rows]
        summary[name] = {
            "requests": len(rows),
            "median": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "max": max(times),
            "server_errors": sum(
                1 for _, status, _ in rows if status >= 500 or not status
            ),
            "failures": sum(1 for *_, error in rows if error),
            "errors": sorted({error for *_, error in rows if error})[:5],
        }
    return summary


def budget_of(name: str) -> int | None:
    if name.startswith("page: "):
        return PAGE_P95_MS
    if name.startswith("api: "):
        return API_P95_MS
    return None  # the editors' admin requests: reported, not budgeted


def check_budgets(
    summary: dict[str, dict],
    edits: dict,
    shares: dict[str, float],
    arguments: argparse.Namespace,
) -> list[str]:
    broken = []
    for name, row in summary.items():
        if row["server_errors"]:
            broken.append(f"{name}: {row['server_errors']} server errors")
        if row["failures"]:
            broken.append(
                f"{name}: {row['failures']} failed ({'; '.join(row['errors'])})"
            )
        budget = None if arguments.no_latency_budgets else budget_of(name)
        if budget is not None and row["p95"] > budget:
            broken.append(f"{name}: p95 {row['p95']:.0f} ms > {budget} ms")
    expected = {"page: home", "page: article", "page: tag", "page: entity",
                "page: search", "page: feed", "admin: save article"}  # fmt: skip
    if not arguments.no_api:
        expected |= {"api: list", "api: detail"}
    for name in sorted(expected - summary.keys()):
        broken.append(f"{name}: no request made")
    if edits["lost"]:
        broken.append(f"{len(edits['lost'])} lost edits: {edits['lost'][:3]}")
    if not edits["acknowledged"]:
        broken.append("the editors saved nothing: nothing shows edits are kept")
    if arguments.throughput_budgets:
        for name, goal in (
            ("article, from the cache", CACHED_SHARE),
            ("article, uncached", UNCACHED_SHARE),
        ):
            if shares[name] < goal:
                broken.append(f"{name}: {shares[name]:.0%} of /healthz < {goal:.0%}")
    return broken


def machine(database_url: str, redis_url: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    kilobytes = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    parts = [
        f"{cpu}, {os.cpu_count()} cores, {kilobytes / 1024**2:.0f} GB RAM",
        f"Python {platform.python_version()}",
    ]
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        parts.append(f"PostgreSQL {version.split()[0]}")
    else:
        parts.append(f"SQLite {sqlite3.sqlite_version}")
    if redis_url:
        import redis

        parts.append(f"Redis {redis.Redis.from_url(redis_url).info()['redis_version']}")
    return "; ".join(parts)


def as_markdown(
    summary: dict[str, dict],
    edits: dict,
    refused: int,
    shares: dict[str, float],
    rates: dict[str, float],
    arguments: argparse.Namespace,
    broken: list[str],
) -> str:
    database = "PostgreSQL" if arguments.database_url else "SQLite"
    cache = "Redis" if arguments.redis_url else "local memory (per worker)"
    today = datetime.datetime.now(datetime.UTC).date()
    lines = [
        f"Measured {today} on {machine(arguments.database_url, arguments.redis_url)}. "
        f"gunicorn, 2 sync workers; {database}, page cache in {cache}; "
        f"{arguments.articles:,} synthetic articles; {arguments.users} readers and "
        f"{EDITORS} editors for {arguments.duration} s"
        f"{'' if not arguments.no_api else ', without the API'}.",
        "",
        "| requests | count | median | p95 | max | failed | p95 budget |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in summary.items():
        budget = budget_of(name)
        lines.append(
            f"| {name} | {row['requests']:,} | {row['median']:.0f} ms "
            f"| {row['p95']:.0f} ms | {row['max']:.0f} ms | {row['failures']} "
            f"| {f'{budget} ms' if budget else '—'} |"
        )
    lines += [
        "",
        f"Editors' saves: {edits['acknowledged']} acknowledged, {refused} refused "
        f"as stale (the other editor had saved), {len(edits['lost'])} lost.",
        "",
        "| throughput, same server after the load | requests/s | share of /healthz "
        "| goal |",
        "| --- | ---: | ---: | --- |",
    ]
    goals = {
        "article, from the cache": CACHED_SHARE,
        "article, uncached": UNCACHED_SHARE,
    }
    for name, rate in rates.items():
        goal = f"≥ {goals[name]:.0%}" if name in goals else ""
        lines.append(f"| {name} | {rate:,.0f} | {shares[name]:.0%} | {goal} |")
    heading = (
        "Budgets (p95 reported, not enforced)"
        if arguments.no_latency_budgets
        else "Budgets"
    )
    lines += ["", f"{heading}: " + ("all held." if not broken else "; ".join(broken))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-load-"))
    try:
        if arguments.database_url:
            database_url = postgres_database(
                workdir, arguments.database_url, arguments.articles
            )
        else:
            database_url = sqlite_database(workdir, arguments.articles)
        if arguments.redis_url:
            forget_cached_pages(arguments.redis_url)
        env = production_env(
            workdir, database_url=database_url, redis_url=arguments.redis_url
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        subprocess.run(
            [PYTHON, "-m", "benchmarks.load_data", "plan", str(workdir / "plan.json")],
            cwd=PROJECT,
            env=env,
            check=True,
            timeout=300,
        )
        plan = json.loads((workdir / "plan.json").read_text(encoding="utf-8"))
        with gunicorn_server(env, port=arguments.port or None) as base_url:
            warm_up(base_url, plan)
            say(f"Load: {arguments.duration} s against {base_url} …")
            started = time.monotonic()
            timings = run_locust(base_url, workdir, arguments)
            say(
                f"Locust ran {time.monotonic() - started:.0f} s; measuring throughput …"
            )
            rates = measure_throughput(base_url, plan["articles"][0], arguments.short)
        edits = verify_edits(env, workdir)
        refused_file = workdir / "refused.jsonl"
        refused = (
            len(refused_file.read_text().splitlines()) if refused_file.exists() else 0
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary = summarise(timings)
    shares = {name: rate / rates["/healthz"] for name, rate in rates.items()}
    broken = check_budgets(summary, edits, shares, arguments)
    table = as_markdown(summary, edits, refused, shares, rates, arguments, broken)
    print(table)
    if arguments.write:
        section = "load-postgresql" if arguments.database_url else "load-sqlite"
        docs.replace_section(section, table)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
