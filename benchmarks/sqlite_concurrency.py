"""Two writer processes and two readers hammer one SQLite database for a while.

Each writer creates articles and edits existing ones in short transactions,
as editors saving in the admin do; each reader lists live articles. The
script prints one JSON line: writes attempted and committed per writer,
reads, errors (with their messages) and the articles found afterwards.

    .venv/bin/python benchmarks/sqlite_concurrency.py --seconds 20

It builds a throwaway database unless --database names one (SQLite only).
"""

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.test_settings")
    import django

    django.setup()


def writer(database: str, name: str, seconds: float, results) -> None:
    setup_django(database)
    from django.db import OperationalError, transaction

    from articles.models import Article, Section

    section = Section.objects.get(slug="concurrency")
    committed, errors = [], []
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        number += 1
        slug = f"{name}-{number}"
        try:
            with transaction.atomic():
                Article.objects.create(
                    headline=f"Story {slug}",
                    slug=slug,
                    body="First version.",
                    section=section,
                )
                # An edit of an earlier story of the same writer in the same
                # transaction: reads and writes interleaved, as in the admin.
                earlier = Article.objects.filter(slug=f"{name}-{max(1, number - 1)}")
                for article in earlier:
                    article.body = f"Edited by {name} at {number}."
                    article.save()
            committed.append(slug)
        except OperationalError as error:
            errors.append(str(error))
    results.put({"writer": name, "committed": committed, "errors": errors})


def reader(database: str, seconds: float, results) -> None:
    setup_django(database)
    from django.db import OperationalError

    from articles.models import Article

    reads, errors = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            list(Article.objects.order_by("-pk")[:20])
            Article.objects.count()
            reads += 1
        except OperationalError as error:
            errors.append(str(error))
    results.put({"reads": reads, "errors": errors})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database", default="")
    options = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="newsroom-sqlite-")
    database = options.database or f"{workdir.name}/concurrency.sqlite3"

    setup_django(database)
    from django.core.management import call_command

    from articles.models import Article, Section

    call_command("migrate", verbosity=0)
    Section.objects.get_or_create(slug="concurrency", defaults={"name": "Concurrency"})

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=writer, args=(database, name, options.seconds, results))
        for name in ("alpha", "beta")
    ] + [
        context.Process(target=reader, args=(database, options.seconds, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=options.seconds + 120) for _ in processes]
    for process in processes:
        process.join()

    writers = [report for report in reports if "writer" in report]
    committed = [slug for report in writers for slug in report["committed"]]
    stored = set(Article.objects.values_list("slug", flat=True))
    print(
        json.dumps(
            {
                "seconds": options.seconds,
                "committed": {r["writer"]: len(r["committed"]) for r in writers},
                "reads": sum(r.get("reads", 0) for r in reports),
                "errors": [error for report in reports for error in report["errors"]],
                "lost": sorted(set(committed) - stored),
            }
        )
    )
    workdir.cleanup()


if __name__ == "__main__":
    main()
