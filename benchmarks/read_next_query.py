"""Time the query that reads an article's Read These Next block at 100,000 articles.

Starts from the synthetic corpus of ``benchmarks/recommendations.py`` (generated,
or copied from the file ``--corpus`` names), rebuilds every list, then reads the
block of 50 live articles spread over the archive the way the article page does
(the ``read_next`` prefetch of ``Article.objects.for_detail()``), several times
each, and prints SQLite's plan for it (EXPLAIN QUERY PLAN) with the median and
worst time. The same runs again after ``ANALYZE``, and for the form used before,
which tested visibility with ``target__in=<the live articles>``:

    .venv/bin/python benchmarks/read_next_query.py --corpus /tmp/reco100k.sqlite3

Target (issue 5): the article page stays at most 8 queries, and this one is
fast however large the archive.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.recommendations import (  # noqa: E402
    add_corpus_argument,
    prepare_corpus,
    rebuild_in_child_process,
)

PAGES = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="reads per article")
    add_corpus_argument(parser)
    options = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="newsroom-read-next-bench-")
    prepare_corpus(Path(workdir.name), options.articles, options.seed, options.corpus)
    rebuild_in_child_process()

    from django.db import connection

    from articles.models import Article

    live = Article.objects.live().order_by("pk").values_list("pk", flat=True)
    pks = list(live[:: max(1, live.count() // PAGES)][:PAGES])
    forms = {
        "EXISTS per entry (now)": page_prefetch(),
        "`target__in` (before)": former_prefetch(),
    }
    rows = []
    for statistics_state in ("none", "after ANALYZE"):
        if statistics_state != "none":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for label, prefetch in forms.items():
            timings, plan = measure(pks, prefetch, options.runs)
            print(f"\n{label}, statistics: {statistics_state}\n{plan}")
            rows.append((label, statistics_state, timings, visibility_test(plan)))
    print(f"\n{len(pks)} articles, {options.runs} reads each:\n")
    print("| query form | statistics | visibility test in the plan | median | worst |")
    print("| --- | --- | --- | ---: | ---: |")
    for label, statistics_state, timings, test in rows:
        print(f"| {label} | {statistics_state} | {test} | "
              f"{statistics.median(timings) * 1000:.1f} ms | "
              f"{max(timings) * 1000:.1f} ms |")  # fmt: skip
    workdir.cleanup()


def page_prefetch():
    """The article page's own lookup, taken from for_detail()."""
    from articles.models import Article

    for lookup in Article.objects.for_detail()._prefetch_related_lookups:
        if getattr(lookup, "to_attr", None) == "read_next":
            return lookup
    sys.exit("Article.objects.for_detail() no longer prefetches read_next")


def former_prefetch():
    """The same lookup with the visibility test the page used before."""
    from django.conf import settings
    from django.db.models import Prefetch

    from articles.models import Article, ReadNextEntry

    return Prefetch(
        "read_next_entries",
        queryset=ReadNextEntry.objects.filter(
            target__in=Article.objects.live().values("pk")
        )
        .select_related("target__section")
        .order_by("kind", "position")[: settings.NEWSROOM_READ_NEXT_COUNT],
        to_attr="read_next",
    )


def measure(pks: list[int], prefetch, runs: int) -> tuple[list[float], str]:
    """Time the prefetch on each article; return the timings and one plan."""
    from django.db import connection
    from django.db.models import prefetch_related_objects
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    articles = list(Article.objects.filter(pk__in=pks))
    timings = []
    for article in articles:
        for _ in range(runs):
            article.__dict__.pop("read_next", None)
            article._prefetched_objects_cache = {}
            started = time.perf_counter()
            prefetch_related_objects([article], prefetch)
            timings.append(time.perf_counter() - started)
        assert len(article.read_next) > 0
    with CaptureQueriesContext(connection) as captured:
        article.__dict__.pop("read_next", None)
        article._prefetched_objects_cache = {}
        prefetch_related_objects([article], prefetch)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = "\n".join(f"  {row[-1]}" for row in cursor.fetchall())
    return timings, plan


def visibility_test(plan: str) -> str:
    """The plan's lines for the live() subquery, which decide the cost."""
    lines = [line.strip() for line in plan.splitlines()]
    for number, line in enumerate(lines):
        if "SUBQUERY" in line:
            return "; ".join(lines[number : number + 2])
    return "joined"


if __name__ == "__main__":
    main()
