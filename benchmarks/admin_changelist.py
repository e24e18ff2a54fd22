"""Time the article changelist in the admin with a newsroom-sized archive.

Builds a throwaway SQLite database with N articles (default 100,000), each with
a byline and two tags, then renders the changelist as an editor sees it: the
default view, each state filter, "mine", an author filter, a search and a late
page. Prints one Markdown table row per view: median and worst of the runs.

    .venv/bin/python benchmarks/admin_changelist.py [--articles 100000] [--runs 5]

Target (issue 3): every view renders in at most 1 s on SQLite.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="newsroom-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.test_settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    editor = populate(options.articles)
    print(
        f"Built {options.articles:,} articles in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    measure(editor, options.runs)
    workdir.cleanup()


def populate(count: int):
    import datetime
    import random

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Author, Byline, Section, Tag, TaggedArticle

    rng = random.Random(20261128)
    editor = User.objects.create_superuser("bench-editor", password="not-used")
    sections = Section.objects.bulk_create(
        Section(name=f"Section {n}", slug=f"section-{n}") for n in range(12)
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {n}", slug=f"reporter-{n}") for n in range(300)
    )
    authors[0].user = editor
    authors[0].save()
    tags = list(Tag.objects.all()) + Tag.objects.bulk_create(
        Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(500)
    )
    now = timezone.now()
    statuses = [Article.Status.PUBLISHED] * 8 + [
        Article.Status.DRAFT,
        Article.Status.REVIEW,
    ]
    body = "A paragraph of reporting about trade, cars and ports. " * 40
    batch = 5_000
    for start in range(0, count, batch):
        with transaction.atomic():
            articles = []
            for number in range(start, min(start + batch, count)):
                status = rng.choice(statuses)
                articles.append(
                    Article(
                        headline=f"Story {number} about cobalt and harbours",
                        slug=f"story-{number}",
                        dek="A standfirst of ordinary length for the card.",
                        body=body,
                        body_html=f"<p>{body}</p>",
                        summary=body[:200],
                        section=rng.choice(sections),
                        status=status,
                        published_at=(
                            now - datetime.timedelta(minutes=number * 7)
                            if status == Article.Status.PUBLISHED
                            else None
                        ),
                    )
                )
            # bulk_create skips save(): the rendered fields are given above.
            Article.objects.bulk_create(articles)
            Byline.objects.bulk_create(
                Byline(article=article, author=rng.choice(authors))
                for article in articles
            )
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object=article, tag=tag)
                for article in articles
                for tag in rng.sample(tags, 2)
            )
    return editor


def measure(editor, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Author

    client = Client()
    client.force_login(editor)
    url = reverse("admin:articles_article_changelist")
    author = Author.objects.order_by("pk")[5]
    views = {
        "default (newest first)": {},
        "state: live": {"state": "live"},
        "state: in review": {"state": "review"},
        "state: scheduled": {"state": "scheduled"},
        "mine": {"mine": "1"},
        "author": {"bylines__author__id__exact": author.pk},
        "search “harbours”": {"q": "harbours"},
        "page 200": {"p": "200"},
    }
    print("| changelist view | median | worst | queries |")
    print("| --- | ---: | ---: | ---: |")
    for label, query in views.items():
        client.get(url, query)  # warm the page cache of SQLite
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, query)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (label, response.status_code)
        print(
            f"| {label} | {statistics.median(timings) * 1000:.0f} ms "
            f"| {max(timings) * 1000:.0f} ms | {len(queries)} |"
        )


if __name__ == "__main__":
    main()
