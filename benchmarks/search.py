"""Time full-text search with a newsroom-sized archive, on SQLite or PostgreSQL.

Builds a throwaway database with N articles (default 20,000) of about 300 words
drawn from a 5,000-word vocabulary with a Zipf-like spread (so words range from
rare to very common), each with two tags and five confirmed entity mentions;
builds the index with ``rebuild_index()``; then runs ``search()`` — count, ranked
page, highlights and all four facets — for queries of every shape and prints one
Markdown table row per query: matches, median and worst of the runs, queries.

    .venv/bin/python benchmarks/search.py [--articles 20000] [--runs 5]
    .venv/bin/python benchmarks/search.py --postgres postgres://postgres@127.0.0.1:5432/reader_find

With ``--postgres`` the script creates and afterwards drops ``test_<name>`` on
that server (Django's test-database machinery); the named database is not touched.
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

VOCABULARY_SIZE = 5_000
WORDS_PER_ARTICLE = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", metavar="DATABASE_URL", default="")
    options = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="newsroom-bench-")
    os.environ["DATABASE_URL"] = (
        options.postgres or f"sqlite:///{workdir.name}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.test_settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if options.postgres:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    try:
        started = time.perf_counter()
        populate(options.articles)
        built = time.perf_counter() - started
        from articles.search import rebuild_index

        started = time.perf_counter()
        rebuild_index()
        indexed = time.perf_counter() - started
        # What autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) does for a
        # real archive: without statistics the planner guesses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: built {options.articles:,} articles in"
            f" {built:.0f} s, indexed them in {indexed:.1f} s\n"
        )
        measure(options.runs)
    finally:
        if options.postgres:
            connection.creation.destroy_test_db(
                connection.settings_dict["NAME"], verbosity=0
            )
        workdir.cleanup()


def word(rank: int) -> str:
    """A made-up word of consonant-vowel syllables for each vocabulary rank."""
    letters = "bcdfghjklmnprstvz"
    text = ""
    rank += 1
    while rank:
        rank, digit = divmod(rank, len(letters))
        text += letters[digit] + "aeiou"[digit % 5]
    return text


def populate(count: int) -> None:
    import datetime
    import random

    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Section, Tag, TaggedArticle
    from entities.models import Entity, Mention

    rng = random.Random(20261128)
    vocabulary = [word(rank) for rank in range(VOCABULARY_SIZE)]
    # Zipf-like: the word of rank r is drawn with weight 1 / (r + 1).
    weights = [1 / (rank + 1) for rank in range(VOCABULARY_SIZE)]
    sections = Section.objects.bulk_create(
        Section(name=f"Section {n}", slug=f"section-{n}") for n in range(12)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(500)
    )
    entities = Entity.objects.bulk_create(
        Entity(name=f"Company {word(n)}", slug=f"company-{n}", kind=kind)
        for n in range(2_000)
        for kind in [["company", "person", "place", "organisation"][n % 4]]
    )
    now = timezone.now()
    batch = 2_000
    for start in range(0, count, batch):
        with transaction.atomic():
            articles = []
            for number in range(start, min(start + batch, count)):
                words = rng.choices(vocabulary, weights, k=WORDS_PER_ARTICLE)
                paragraphs = [
                    " ".join(words[i : i + 60]) + "."
                    for i in range(0, WORDS_PER_ARTICLE, 60)
                ]
                headline = " ".join(rng.choices(vocabulary, weights, k=8)).capitalize()
                articles.append(
                    Article(
                        headline=headline,
                        slug=f"story-{number}",
                        dek=" ".join(words[:20]),
                        body="\n\n".join(paragraphs),
                        body_html="".join(f"<p>{p}</p>" for p in paragraphs),
                        summary=" ".join(words[:20]),
                        section=rng.choice(sections),
                        status=Article.Status.PUBLISHED,
                        published_at=now - datetime.timedelta(minutes=number * 20),
                    )
                )
            # bulk_create skips save() and the index signals: rebuild_index()
            # indexes everything afterwards, as it would after an import.
            Article.objects.bulk_create(articles)
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object=article, tag=tag)
                for article in articles
                for tag in rng.sample(tags, 2)
            )
            Mention.objects.bulk_create(
                Mention(article=article, entity=entity, status="confirmed")
                for article in articles
                for entity in rng.sample(entities, 5)
            )


def measure(runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.models import Section
    from articles.search import SearchFilters, search

    common, frequent, middling, rare = word(0), word(3), word(300), word(4_000)
    queries = {
        f"very common word ({common})": (common, {}),
        f"rare word ({rare})": (rare, {}),
        f"two words ({frequent} {middling})": (f"{frequent} {middling}", {}),
        f'phrase ("{common} {frequent}")': (f'"{common} {frequent}"', {}),
        f"prefix ({middling[:3]}*)": (f"{middling[:3]}*", {}),
        f"alternatives ({rare} OR {middling})": (f"{rare} OR {middling}", {}),
        f"exclusion ({middling} -{frequent})": (f"{middling} -{frequent}", {}),
        f"common word, one section ({common})": (
            common,
            {"section": Section.objects.order_by("pk").first()},
        ),
        f"common word, page 10 ({common})": (common, {"page": 10}),
        "no match (zzzzzz)": ("zzzzzz", {}),
    }
    print("| query | matches | median | worst | queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, (text, options) in queries.items():
        page = options.pop("page", 1)
        filters = SearchFilters(**options)
        search(text, filters=filters, page=page)  # warm the database's cache
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                results = search(text, filters=filters, page=page)
                timings.append(time.perf_counter() - started)
        median, worst = statistics.median(timings), max(timings)
        print(
            f"| {label} | {'more than ' if results.more else ''}{results.total:,}"
            f" | {median * 1000:.0f} ms"
            f" | {worst * 1000:.0f} ms | {len(captured)} |"
        )


if __name__ == "__main__":
    main()
