"""Measure Read These Next on a synthetic corpus: quality against a baseline, speed.

Builds a throwaway SQLite database, fills it with ``generate_corpus`` and runs
``rebuild_recommendations``, then:

- quality: precision@4 (share of the four recommendations shown under an
  article that belong to its own story cluster) for Newsroom and for
  django-taggit's ``similar_objects()`` (shared tags counted), side by side on
  the same articles, with the baseline's cost per call; precision with one
  feature block at a time; near-duplicates shown together; how far lists kept
  current by incremental publishing agree with a full rebuild.
- speed: the full rebuild (wall time and peak memory of the command, in its own
  process), incremental publishing of new articles through the workflow, the
  article page, and the baseline's cost at that size.

    .venv/bin/python benchmarks/recommendations.py quality [--articles 10000]
    .venv/bin/python benchmarks/recommendations.py speed [--articles 100000]
        [--corpus /tmp/reco100k.sqlite3]
    .venv/bin/python benchmarks/recommendations.py tune --seed 2

``--corpus FILE`` generates the corpus into FILE the first time and starts
later runs from a copy of it (100,000 articles take minutes to generate).
``tune`` prints precision@4 for a grid of block weights; the weights in
``articles/recommendations.py`` were chosen with it on another seed than the
one ``quality`` reports, so that the figure is not fitted to its corpus.

Targets (issue 5): precision@4 ≥ 0.9 at 10,000 articles and clearly above the
baseline; rebuild of 100,000 articles ≤ 5 minutes and ≤ 2 GB; an incremental
update on publishing ≤ 100 ms at 100,000 articles; the article page ≤ 8
queries.
"""

import argparse
import datetime
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHOWN = 4
# similar_objects() takes seconds per article at 100,000 articles.
BASELINE_SAMPLE_AT_SPEED = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["quality", "speed", "tune"])
    parser.add_argument("--articles", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sample", type=int, default=500, help="articles the baseline is asked about"
    )
    parser.add_argument("--publishes", type=int, default=30)
    add_corpus_argument(parser)
    options = parser.parse_args()
    articles = options.articles or (100_000 if options.part == "speed" else 10_000)

    workdir = tempfile.TemporaryDirectory(prefix="newsroom-reco-bench-")
    prepare_corpus(Path(workdir.name), articles, options.seed, options.corpus)
    rebuild_in_child_process()
    if options.part == "quality":
        quality(options.sample, options.seed, options.publishes)
    elif options.part == "tune":
        tune()
    else:
        speed(options.publishes, options.seed)
    workdir.cleanup()


def add_corpus_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        type=Path,
        help="a SQLite file that keeps the generated corpus between runs: "
        "generated into it when missing, copied from it otherwise",
    )


def prepare_corpus(
    workdir: Path, articles: int, seed: int, corpus: Path | None
) -> None:
    """Set Django up on a throwaway database in ``workdir`` holding the corpus.

    Generating 100,000 articles takes minutes; with ``corpus`` it happens once
    and later runs start from a copy, so the kept file is never changed.
    """
    database = workdir / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.test_settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    if corpus is not None and corpus.exists():
        shutil.copyfile(corpus, database)
        call_command("migrate", verbosity=0)
        from articles.models import Article
        from articles.synthetic import SLUG_PREFIX

        found = Article.objects.filter(slug__startswith=SLUG_PREFIX).count()
        if found != articles:
            sys.exit(
                f"{corpus} holds {found:,} synthetic articles, not {articles:,}: "
                "name another file to generate this corpus into."
            )
        print(f"Corpus: {articles:,} articles copied from {corpus}")
        return
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "generate_corpus",
        f"--articles={articles}",
        f"--seed={seed}",
        "--until=2026-11-01",
        stdout=StringIO(),
    )
    print(f"Corpus: {articles:,} articles, seed {seed}, generated in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    if corpus is not None:
        # Closing the last connection folds SQLite's write-ahead log into the
        # file, so the copy is complete.
        connection.close()
        shutil.copyfile(database, corpus)
        print(f"Corpus kept in {corpus} for the next runs")


def rebuild_in_child_process() -> None:
    """Run the command as an operator would, measuring its own peak memory."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "rebuild_recommendations"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time does not grow when other work shares the cores; wall time does.
    print(f"Full rebuild: {elapsed:.1f} s, {usage.ru_utime + usage.ru_stime:.1f} s "
          f"of CPU, peak memory {usage.ru_maxrss / 1024:,.0f} MB")  # fmt: skip


def live_clusters() -> dict[int, int]:
    from articles.models import Article
    from articles.synthetic import cluster_of

    return {
        pk: cluster_of(slug)
        for pk, slug in Article.objects.live().values_list("pk", "slug")
    }


def shown_lists() -> dict[int, list[int]]:
    """What each article page shows: the first live entries of its list."""
    from articles.models import ReadNextEntry

    lists: dict[int, list[int]] = {}
    for article_id, target_id in (
        ReadNextEntry.objects.live()
        .order_by("article_id", "kind", "position")
        .values_list("article_id", "target_id")
    ):
        shown = lists.setdefault(article_id, [])
        if len(shown) < SHOWN:
            shown.append(target_id)
    return lists


def precision(lists: dict[int, list[int]], clusters: dict[int, int], among) -> float:
    """Share of the SHOWN places filled by a story of the same cluster (an
    empty place counts as a miss)."""
    hits = sum(
        clusters.get(target) == clusters[article]
        for article in among
        for target in lists.get(article, [])
    )
    return hits / (SHOWN * len(among))


def baseline(sample: list[int], clusters: dict[int, int]):
    """django-taggit's similar_objects(): the live articles sharing most tags."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    lists, timings, queries = {}, [], []
    for pk in sample:
        article = Article.objects.get(pk=pk)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            similar = article.tags.similar_objects()
            timings.append(time.perf_counter() - started)
        queries.append(len(captured))
        lists[pk] = [other.pk for other in similar if other.pk in clusters][:SHOWN]
    return lists, timings, queries


def quality(sample_size: int, seed: int, publishes: int) -> None:
    from articles import recommendations

    clusters = live_clusters()
    articles = sorted(clusters)
    lists = shown_lists()
    sample = sorted(
        random.Random(seed).sample(articles, min(sample_size, len(articles)))
    )
    baseline_lists, timings, queries = baseline(sample, clusters)
    full = sum(len(lists.get(pk, [])) == SHOWN for pk in articles) / len(articles)
    print()
    print("| engine | articles asked | precision@4 | cost per article |")
    print("| --- | ---: | ---: | --- |")
    print(f"| Newsroom (stored lists) | {len(articles):,} (all live) | "
          f"{precision(lists, clusters, articles):.3f} | one query, read with "
          "the page |")  # fmt: skip
    print(f"| Newsroom (stored lists) | {len(sample):,} (sample) | "
          f"{precision(lists, clusters, sample):.3f} | one query, read with "
          "the page |")  # fmt: skip
    print(f"| django-taggit `similar_objects()` | {len(sample):,} (sample) | "
          f"{precision(baseline_lists, clusters, sample):.3f} | "
          f"{statistics.median(timings) * 1000:.0f} ms median, "
          f"{max(timings) * 1000:.0f} ms worst, {max(queries)} queries |")  # fmt: skip
    print(f"\nArticles with all {SHOWN} places filled: {full:.1%}")
    print(f"Near-duplicates shown together: {near_duplicates_shown(lists)}")

    print("\n| feature blocks | precision@4 |")
    print("| --- | ---: |")
    default = dict(recommendations.BLOCK_WEIGHTS)
    for label, only in [("words only", "w"), ("entities only", "e"),
                        ("tags only", "t")]:  # fmt: skip
        recommendations.BLOCK_WEIGHTS.update(
            {block: (default[block] if block == only else 0.0) for block in default}
        )
        recommendations.rebuild()
        print(f"| {label} | {precision(shown_lists(), clusters, articles):.3f} |")
    recommendations.BLOCK_WEIGHTS.update(default)
    recommendations.rebuild()
    print(
        f"| all three (Newsroom) | {precision(shown_lists(), clusters, articles):.3f} |"
    )
    incremental_agreement(publishes, seed)


def tune() -> None:
    import itertools

    from articles import recommendations

    clusters = live_clusters()
    articles = sorted(clusters)
    print("\n| words | entities | tags | precision@4 |")
    print("| ---: | ---: | ---: | ---: |")
    for words, entities, tags in itertools.product(
        [0.55, 0.7, 0.85], [0.65, 0.5, 0.35], [0.5, 0.3, 0.15]
    ):
        recommendations.BLOCK_WEIGHTS.update({"w": words, "e": entities, "t": tags})
        recommendations.rebuild()
        print(f"| {words} | {entities} | {tags} | "
              f"{precision(shown_lists(), clusters, articles):.3f} |")  # fmt: skip


def near_duplicates_shown(lists: dict[int, list[int]]) -> int:
    from collections import defaultdict

    from articles import recommendations
    from articles.models import ArticleFeatureWeight

    vectors: dict[int, dict[int, float]] = defaultdict(dict)
    for article_id, feature_id, weight in ArticleFeatureWeight.objects.values_list(
        "article_id", "feature_id", "weight"
    ).iterator(chunk_size=50_000):
        vectors[article_id][feature_id] = weight
    together = 0
    for shown in lists.values():
        for position, one in enumerate(shown):
            for other in shown[position + 1 :]:
                similarity = sum(
                    weight * vectors[other].get(feature, 0.0)
                    for feature, weight in vectors[one].items()
                )
                together += similarity >= recommendations.NEAR_DUPLICATE
    return together


def new_articles(count: int, seed: int):
    """Unpublished follow-ups of live stories, each in its story's words."""
    from articles.models import Article, TaggedArticle
    from entities.models import Mention

    rng = random.Random(seed)
    sources = rng.sample(list(Article.objects.live().order_by("pk")), count)
    created = []
    for number, source in enumerate(sources):
        article = Article.objects.create(
            headline=f"{source.headline} (follow-up)",
            slug=f"{source.slug}-follow-up-{number}",
            dek=source.dek,
            body=source.body.replace(".", ", officials said.", 3),
            section=source.section,
            status=Article.Status.REVIEW,
            published_at=source.published_at + datetime.timedelta(hours=6),
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag_id=tag_id)
            for tag_id in source.tagged_items.values_list("tag_id", flat=True)
        )
        # Saving the article has linked the entities its text names already.
        Mention.objects.bulk_create(
            (
                Mention(article=article, entity_id=entity_id, status="confirmed")
                for entity_id in Mention.objects.confirmed()
                .filter(article=source)
                .values_list("entity_id", flat=True)
            ),
            ignore_conflicts=True,
        )
        created.append(article)
    return created


def publish_all(articles):
    """Publish through the workflow; time each step and the update inside it."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles import publishing, recommendations

    editor, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"is_superuser": True, "is_staff": True}
    )
    update = recommendations.update_article
    updates: list[float] = []
    update_cpu: list[float] = []
    update_queries: list[int] = []

    def timed_update(article) -> None:
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            update(article)
            updates.append(time.perf_counter() - started)
            # SQLite works inside this process, so this counts the queries too.
            update_cpu.append(time.process_time() - cpu)
        update_queries.append(len(captured))

    steps = []
    recommendations.update_article = timed_update
    try:
        for article in articles:
            started = time.perf_counter()
            publishing.transition(article, "publish", user=editor)
            steps.append(time.perf_counter() - started)
    finally:
        recommendations.update_article = update
    return steps, updates, update_cpu, update_queries


def incremental_agreement(publishes: int, seed: int) -> None:
    from articles import recommendations
    from articles.models import ReadNextEntry

    articles = new_articles(publishes, seed)
    publish_all(articles)
    ids = [article.pk for article in articles]

    def state():
        own = {pk: [] for pk in ids}
        for article_id, target_id in (
            ReadNextEntry.objects.filter(kind=ReadNextEntry.Kind.COMPUTED)
            .filter(article_id__in=ids)
            .order_by("position")
            .values_list("article_id", "target_id")
        ):
            if len(own[article_id]) < SHOWN:
                own[article_id].append(target_id)
        member = set(
            ReadNextEntry.objects.filter(
                kind=ReadNextEntry.Kind.COMPUTED,
                target_id__in=ids,
                position__lt=SHOWN,
            ).values_list("article_id", "target_id")
        )
        return own, member

    own_incremental, member_incremental = state()
    recommendations.rebuild()
    own_rebuilt, member_rebuilt = state()
    same_own = sum(
        len(set(own_incremental[pk]) & set(own_rebuilt[pk])) for pk in ids
    ) / sum(len(own_rebuilt[pk]) for pk in ids)
    found = len(member_incremental & member_rebuilt) / max(len(member_rebuilt), 1)
    print(f"\nIncremental publishing of {len(ids)} follow-ups against a rebuild: "
          f"{same_own:.0%} of their own top {SHOWN} agree; {found:.0%} of the "
          f"top-{SHOWN} places they win in other lists were given incrementally "
          f"({len(member_rebuilt)} places after the rebuild).")  # fmt: skip


def percentile(timings: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest timing with ``share`` of them at
    or below it."""
    ordered = sorted(timings)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def speed(publishes: int, seed: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    clusters = live_clusters()
    articles = sorted(clusters)
    print(f"precision@4 of the rebuilt lists over all {len(articles):,} live "
          f"articles: {precision(shown_lists(), clusters, articles):.3f}")  # fmt: skip

    follow_ups = new_articles(publishes, seed)
    steps, updates, update_cpu, update_queries = publish_all(follow_ups)
    print()
    print(f"| incremental publish ({len(updates)} articles) | median | 95th "
          "percentile | worst |")  # fmt: skip
    print("| --- | ---: | ---: | ---: |")
    for label, timings in [("Read These Next update", updates),
                           ("Read These Next update, CPU time", update_cpu),
                           ("whole publish step (workflow, revision, update)",
                            steps)]:  # fmt: skip
        print(f"| {label} | {statistics.median(timings) * 1000:.0f} ms | "
              f"{percentile(timings, 0.95) * 1000:.0f} ms | "
              f"{max(timings) * 1000:.0f} ms |")  # fmt: skip
    print(f"\nQueries per update: {min(update_queries)}–{max(update_queries)}")

    client = Client()
    pages = list(Article.objects.live().order_by("pk")[:: len(articles) // 20][:20])
    timings, counts = [], []
    for article in pages:
        # A query string new to the page cache: every request renders the page.
        url = f"{article.get_absolute_url()}?uncached={article.pk}"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(f"{url}-again")
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
        counts.append(len(captured))
    print(f"Article page, rendered (not from the cache): "
          f"{statistics.median(timings) * 1000:.0f} ms median over {len(pages)} "
          f"articles, {max(counts)} queries at most")  # fmt: skip

    sample = sorted(random.Random(seed).sample(articles, BASELINE_SAMPLE_AT_SPEED))
    lists, timings, queries = baseline(sample, clusters)
    print(f"django-taggit similar_objects(), {len(sample)} articles: "
          f"{statistics.median(timings):.1f} s median, {max(timings):.1f} s worst "
          f"per article, {max(queries)} queries, precision@4 "
          f"{precision(lists, clusters, sample):.3f}; peak memory of this "
          f"process {peak_memory_mb():,.0f} MB")  # fmt: skip


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
