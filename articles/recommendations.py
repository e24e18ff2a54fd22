"""Read These Next: the editor's pins, then the most related live articles.

Every list is precomputed into ``ReadNextEntry`` so that an article page reads
it in one query: first the pins (mirrored from ``ReadNextPin``), then up to
``BUFFER_FACTOR`` × K computed recommendations, best first. The page keeps the
first K whose target is live at that moment, so a scheduled target appears at
its time and an expired or withdrawn one disappears with no process running.

An article is *indexed* while it is published and not expired (scheduled
articles included, so that their list is ready when they go live). Its
features form one sparse vector in three blocks, each L2-normalised and
multiplied by its weight in ``BLOCK_WEIGHTS``, the whole then scaled to unit
length:

- words: TF-IDF of the headline (counted ``HEADLINE_REPEAT`` times), the dek
  (``DEK_REPEAT`` times) and the body, stop words left out, the article's top
  ``TERMS_PER_ARTICLE`` terms kept; a word no other article uses links
  nothing, so it is not kept;
- confirmed entities, weighted by IDF (an entity in 3 articles says more than
  one in 30,000);
- tags, weighted by IDF.

A feature found in more than ``common_limit(n)`` of the n published articles
is left out everywhere: it says little about any pair, and it is what would make
finding candidates slow.

similarity(a, b) is the dot product of the two vectors (their cosine), and
score(source → target) = similarity × recency + ``SECTION_BONUS`` when both
are in the same section, where recency is exp(-gap / ``RECENCY_DAYS``) for a
target older than the source by ``gap`` days and 1 for a newer one.
Candidates are ranked by score, then id; one whose similarity with a story
already chosen reaches ``NEAR_DUPLICATE`` is skipped. Never the article
itself, a pinned or excluded target, or the same target twice.

``rebuild()`` computes everything with sparse matrices. ``update_article()``
keeps it current after a publish, an edit or a withdrawal, from the stored
vectors (``ArticleFeatureWeight``, indexed by feature so that the candidates
are one query).
"""

import json
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from scipy import sparse

from articles import caching, page_data
from articles.models import (
    Article,
    ArticleFeatureWeight,
    ReadNextEntry,
    ReadNextExclusion,
    ReadNextPin,
    RecommendationFeature,
    Tag,
    TaggedArticle,
)
from entities.models import Entity, Mention

TERMS_PER_ARTICLE = 30
HEADLINE_REPEAT = 3
DEK_REPEAT = 2
# Relative weights of the word, entity and tag blocks, chosen with
# `benchmarks/recommendations.py tune` (docs/decisions.md).
BLOCK_WEIGHTS = {"w": 0.7, "e": 0.5, "t": 0.3}
COMMON_FEATURE_SHARE = 0.05
COMMON_FEATURE_FLOOR = 200
RECENCY_DAYS = 365.0
SECTION_BONUS = 0.03
NEAR_DUPLICATE = 0.85
BUFFER_FACTOR = 2
# How many of the best-scored candidates the diversity pass chooses from.
POOL_FACTOR = 3
# An incremental update offers the article to the lists of this many of its
# most similar articles; the next rebuild catches any list further away.
INSERT_NEIGHBOURS = 200
MAX_REASONS = 3
ROWS_PER_CHUNK = 1000
INSERT_BATCH = 20_000


_STOP_WORDS = """
    a about above according across after afterwards again against ago all almost
    alone along already also although always am among amongst an and another any
    anyone anything anyway anywhere are aren around as at back be became because
    become becomes been before beforehand behind being below beside besides
    between beyond both but by can cannot could couldn did didn do does doesn
    doing don done down due during each early either else elsewhere enough even
    ever every everyone everything everywhere except few first for former
    formerly from further get gets given go had hadn has hasn have haven having he
    hence her here hereafter hereby herein hers herself him himself his how
    however i if in indeed instead into is isn it its itself just last latter
    least less like ll made make many may me meanwhile might more moreover most
    mostly much must my myself namely near neither never nevertheless new next no
    nobody none nor not nothing now nowhere of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps put rather
    re said same say says see seem seemed seeming seems several she should shouldn
    since so some somehow someone something sometime sometimes somewhere still
    such than that the their theirs them themselves then thence there thereafter
    thereby therefore therein thereupon these they this those though through
    throughout thru thus to together too toward towards under until up upon us
    ve very via was wasn we well were weren what whatever when whence whenever
    where whereafter whereas whereby wherein whereupon wherever whether which
    while whither who whoever whole whom whose why will with within without won
    would wouldn year years yet you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_POSSESSIVE = re.compile(r"['’]s\b")
# A word starts with a letter and goes on with letters or digits ("Q4", "EV").
_WORD = re.compile(r"[^\W\d_][^\W_]+")
_MAX_WORD_LENGTH = 60

Progress = Callable[[str, int, int], None]


def list_length() -> int:
    """How many stories the Read These Next block shows (a setting)."""
    return settings.NEWSROOM_READ_NEXT_COUNT


def buffer_length() -> int:
    return BUFFER_FACTOR * list_length()


def common_limit(article_count: int) -> int:
    """The document frequency above which a feature is too common to compare by."""
    return max(COMMON_FEATURE_FLOOR, int(COMMON_FEATURE_SHARE * article_count))


# The RecommendationFeature row whose document frequency is n itself: an
# update reads it with the features instead of counting 100,000 articles.
CORPUS_KEY = "n"


def corpus_size() -> int:
    """The n of IDF: published articles, counted from an index alone (the few
    expired among them make no difference to rarity)."""
    return Article.objects.filter(status=Article.Status.PUBLISHED).count()


def indexed_articles() -> QuerySet:
    """Articles that have a computed list and may be recommended: published, not
    expired. Scheduled ones are included; the page filters by ``live()``."""
    return Article.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        status=Article.Status.PUBLISHED,
    )


# --- Features -------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` without stop words or possessive endings."""
    return [
        word
        for word in _WORD.findall(_POSSESSIVE.sub("", text.lower()))
        if word not in STOP_WORDS and len(word) <= _MAX_WORD_LENGTH
    ]


def word_counts(headline: str, dek: str, body: str) -> Counter[str]:
    """Count words, the headline's and the dek's counting several times."""
    counts = Counter(words(body))
    for word in words(dek):
        counts[word] += DEK_REPEAT
    for word in words(headline):
        counts[word] += HEADLINE_REPEAT
    return counts


def _block(
    ids: np.ndarray,
    values: np.ndarray,
    frequencies: np.ndarray,
    article_count: int,
    *,
    weight: float,
    keep: int | None = None,
    names: np.ndarray | None = None,
    min_frequency: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Weight one block of an article's features by rarity, keep the strongest
    ``keep`` (ties by name), and scale the block to length ``weight``."""
    frequencies = np.maximum(frequencies, 1)
    usable = (frequencies >= min_frequency) & (
        frequencies <= common_limit(article_count)
    )
    ids, values, frequencies = ids[usable], values[usable], frequencies[usable]
    weights = values * (np.log((1 + article_count) / (1 + frequencies)) + 1)
    if keep is not None and len(ids) > keep:
        strongest = np.lexsort((names[usable], -weights))[:keep]
        ids, weights = ids[strongest], weights[strongest]
    norm = math.sqrt(float(np.dot(weights, weights)))
    if norm == 0:
        return ids[:0], weights[:0]
    return ids, weights * (weight / norm)


def _vector(
    word_features: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    entity_features: tuple[np.ndarray, np.ndarray],
    tag_features: tuple[np.ndarray, np.ndarray],
    article_count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One article's feature ids and weights from its three blocks.

    ``word_features`` is (ids, names, counts, document frequencies); the
    others are (ids, document frequencies). Used by the rebuild and by the
    incremental update alike, so both weigh an article the same way.
    """
    word_ids, word_names, counts, word_frequencies = word_features
    blocks = [
        _block(
            word_ids,
            1 + np.log(counts),
            word_frequencies,
            article_count,
            weight=BLOCK_WEIGHTS["w"],
            keep=TERMS_PER_ARTICLE,
            names=word_names,
            min_frequency=2,
        ),
        _block(
            entity_features[0],
            np.ones(len(entity_features[0])),
            entity_features[1],
            article_count,
            weight=BLOCK_WEIGHTS["e"],
        ),
        _block(
            tag_features[0],
            np.ones(len(tag_features[0])),
            tag_features[1],
            article_count,
            weight=BLOCK_WEIGHTS["t"],
        ),
    ]
    weights = np.concatenate([weights for _, weights in blocks])
    norm = math.sqrt(float(np.dot(weights, weights)))
    # Unit length, so that similarity is a cosine: 1 for identical articles,
    # whichever blocks they have.
    return (
        np.concatenate([ids for ids, _ in blocks]).astype(np.int64),
        weights / norm if norm else weights,
    )


def _days(moment) -> float:
    return moment.timestamp() / 86_400


def _scores(
    similarities: np.ndarray,
    source_days: np.ndarray | float,
    target_days: np.ndarray,
    same_section: np.ndarray,
) -> np.ndarray:
    """score = similarity × recency + section bonus, recency penalising only
    targets older than the source."""
    gap = np.maximum(source_days - target_days, 0.0)
    return similarities * np.exp(-gap / RECENCY_DAYS) + SECTION_BONUS * same_section


def _best(ids: np.ndarray, scores: np.ndarray, size: int) -> np.ndarray:
    """Positions of the ``size`` best scores, best first, ties by lower id."""
    if len(scores) > size:
        threshold = np.partition(scores, len(scores) - size)[len(scores) - size]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(len(scores))
    order = np.lexsort((ids[candidates], -scores[candidates]))
    return candidates[order[:size]]


def _diverse(ranked: Sequence[int], near_duplicates, size: int) -> list[int]:
    """Walk the ranked candidates, skipping near-duplicates of those chosen."""
    chosen: list[int] = []
    for candidate in ranked:
        if any(near_duplicates(candidate, other) for other in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) == size:
            break
    return chosen


def _reasons(
    source: dict[int, float], target: dict[int, float], labels: dict[int, dict]
) -> list[dict]:
    """The entities and tags the two share, strongest shared weight first."""
    shared = sorted(
        (
            (-source[feature] * target[feature], labels[feature]["name"], feature)
            for feature in source.keys() & target.keys()
            if feature in labels
        ),
    )
    return [labels[feature] for _, _, feature in shared[:MAX_REASONS]]


# --- Full rebuild -----------------------------------------------------------------


@dataclass(frozen=True)
class RebuildSummary:
    articles: int
    features: int
    recommendations: int


@dataclass
class _Corpus:
    """Every indexed article's features, read once for a rebuild."""

    pks: list[int] = field(default_factory=list)
    days: list[float] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    vocabulary: dict[str, int] = field(default_factory=dict)
    term_ids: array = field(default_factory=lambda: array("q"))
    term_counts: array = field(default_factory=lambda: array("d"))
    term_offsets: list[int] = field(default_factory=lambda: [0])
    entities: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    tags: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))


def _read_corpus(articles: QuerySet, report: Progress) -> _Corpus:
    corpus = _Corpus()
    total = articles.count()
    rows = articles.order_by("pk").values_list(
        "pk", "headline", "dek", "body", "section_id", "published_at"
    )
    for number, (pk, headline, dek, body, section_id, published_at) in enumerate(
        rows.iterator(chunk_size=2000), start=1
    ):
        corpus.pks.append(pk)
        corpus.days.append(_days(published_at))
        corpus.sections.append(section_id)
        for word, count in word_counts(headline, dek, body).items():
            corpus.term_ids.append(
                corpus.vocabulary.setdefault(word, len(corpus.vocabulary))
            )
            corpus.term_counts.append(count)
        corpus.term_offsets.append(len(corpus.term_ids))
        if number % 2000 == 0 or number == total:
            report("Reading articles", number, total)
    indexed = articles.values("pk")
    for article_id, entity_id in (
        Mention.objects.confirmed()
        .filter(article__in=indexed)
        .order_by("article_id", "entity_id")
        .values_list("article_id", "entity_id")
    ):
        corpus.entities[article_id].append(entity_id)
    for article_id, tag_id in (
        TaggedArticle.objects.filter(content_object__in=indexed)
        .order_by("content_object_id", "tag_id")
        .values_list("content_object_id", "tag_id")
    ):
        corpus.tags[article_id].append(tag_id)
    return corpus


def _feature_matrix(
    corpus: _Corpus, article_count: int
) -> tuple[sparse.csr_matrix, list[str], list[int]]:
    """The articles × features matrix, the features' keys and their frequencies.

    Columns are the words (in order of first use), then the entities, then the
    tags.
    """
    term_ids = np.frombuffer(corpus.term_ids, dtype=np.int64)
    term_counts = np.frombuffer(corpus.term_counts, dtype=np.float64)
    word_frequencies = np.bincount(term_ids, minlength=len(corpus.vocabulary))
    word_names = np.array(list(corpus.vocabulary), dtype=str)
    entity_frequencies = Counter(e for ids in corpus.entities.values() for e in ids)
    tag_frequencies = Counter(t for ids in corpus.tags.values() for t in ids)
    entity_column = {
        entity: len(word_names) + number
        for number, entity in enumerate(sorted(entity_frequencies))
    }
    tag_column = {
        tag: len(word_names) + len(entity_column) + number
        for number, tag in enumerate(sorted(tag_frequencies))
    }
    keys = [f"w:{word}" for word in corpus.vocabulary]
    keys += [f"e:{entity}" for entity in entity_column]
    keys += [f"t:{tag}" for tag in tag_column]
    frequencies = [*word_frequencies.tolist()]
    frequencies += [entity_frequencies[entity] for entity in entity_column]
    frequencies += [tag_frequencies[tag] for tag in tag_column]

    indptr = [0]
    columns: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    offsets = corpus.term_offsets
    for row, pk in enumerate(corpus.pks):
        ids = term_ids[offsets[row] : offsets[row + 1]]
        entities = corpus.entities.get(pk, [])
        tags = corpus.tags.get(pk, [])
        row_columns, row_weights = _vector(
            (ids, word_names[ids], term_counts[offsets[row] : offsets[row + 1]],
             word_frequencies[ids]),
            (
                np.array([entity_column[e] for e in entities], dtype=np.int64),
                np.array([entity_frequencies[e] for e in entities]),
            ),
            (
                np.array([tag_column[t] for t in tags], dtype=np.int64),
                np.array([tag_frequencies[t] for t in tags]),
            ),
            article_count,
        )  # fmt: skip
        order = np.argsort(row_columns)
        columns.append(row_columns[order])
        weights.append(row_weights[order])
        indptr.append(indptr[-1] + len(order))
    matrix = sparse.csr_matrix(
        (
            np.concatenate(weights) if weights else np.zeros(0),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64),
            np.array(indptr),
        ),
        shape=(len(corpus.pks), len(keys)),
    )
    return matrix, keys, frequencies


def _candidate_pools(
    matrix: sparse.csr_matrix,
    days: np.ndarray,
    sections: np.ndarray,
    blocked: dict[int, set[int]],
    report: Progress,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[int, set[int]]]:
    """Each row's best-scored candidates, and every pair of near-duplicates."""
    n = matrix.shape[0]
    pool_size = POOL_FACTOR * buffer_length()
    transposed = matrix.T.tocsr()
    pools: list[tuple[np.ndarray, np.ndarray]] = []
    near: dict[int, set[int]] = defaultdict(set)
    for start in range(0, n, ROWS_PER_CHUNK):
        stop = min(start + ROWS_PER_CHUNK, n)
        products = (matrix[start:stop] @ transposed).tocsr()
        rows = np.repeat(np.arange(start, stop), np.diff(products.indptr))
        columns = products.indices
        similarities = products.data
        scores = _scores(
            similarities, days[rows], days[columns], sections[rows] == sections[columns]
        )
        duplicates = (similarities >= NEAR_DUPLICATE) & (rows != columns)
        for row, column in zip(
            rows[duplicates].tolist(), columns[duplicates].tolist(), strict=True
        ):
            near[row].add(column)
        for local in range(stop - start):
            row = start + local
            begin, end = products.indptr[local], products.indptr[local + 1]
            ids, row_scores = columns[begin:end], scores[begin:end]
            keep = ids != row
            if row in blocked:
                keep &= ~np.isin(ids, list(blocked[row]))
            ids, row_scores = ids[keep], row_scores[keep]
            best = _best(ids, row_scores, pool_size)
            pools.append((ids[best], row_scores[best]))
        report("Comparing articles", stop, n)
    return pools, near


def _blocked_rows(row_of: dict[int, int]) -> dict[int, set[int]]:
    """Per row, the rows it must not recommend: its pins and exclusions."""
    blocked: dict[int, set[int]] = defaultdict(set)
    for model in (ReadNextPin, ReadNextExclusion):
        for article_id, target_id in model.objects.values_list(
            "article_id", "target_id"
        ):
            if article_id in row_of and target_id in row_of:
                blocked[row_of[article_id]].add(row_of[target_id])
    return blocked


def _labels_for_keys(keys: Iterable[str]) -> dict[str, dict]:
    """Reader-facing names of entity and tag features, by key."""
    keys = list(keys)
    entity_ids = [int(key[2:]) for key in keys if key.startswith("e:")]
    tag_ids = [int(key[2:]) for key in keys if key.startswith("t:")]
    labels = {}
    for pk, name, slug in Entity.objects.filter(pk__in=entity_ids).values_list(
        "pk", "name", "slug"
    ):
        labels[f"e:{pk}"] = {"kind": "entity", "name": name, "slug": slug}
    for pk, name, slug in Tag.objects.filter(pk__in=tag_ids).values_list(
        "pk", "name", "slug"
    ):
        labels[f"t:{pk}"] = {"kind": "tag", "name": name, "slug": slug}
    return labels


def _insert_rows(model, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert many rows with executemany: bulk_create would build a model
    instance per row, the slowest part of a rebuild at 100,000 articles."""
    quote = connection.ops.quote_name
    opts = model._meta
    names = ", ".join(quote(opts.get_field(name).column) for name in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(opts.db_table)} ({names}) VALUES ({placeholders})"
    inserted = 0
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                cursor.executemany(sql, batch)
                inserted += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            inserted += len(batch)
    return inserted


def _clear(model) -> None:
    """Empty a derived table. QuerySet.delete() would first load every feature
    to cascade to weights that are already gone."""
    if model is ReadNextEntry:
        page_data.invalidate(Article.objects.all())
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _delete(rows: QuerySet) -> None:
    """Delete derived rows in one statement, sending no signal per row.

    QuerySet.delete() would load every row to send post_delete, which the
    public page cache listens to; each update forgets cached pages once
    instead (``caching.invalidate_public_pages``). Stored Read These Next
    lists are written after such a delete: the pages that show them are
    rendered again.
    """
    if rows.model is ReadNextEntry:
        page_data.invalidate(Article.objects.filter(pk__in=rows.values("article_id")))
    rows._raw_delete(rows.db)


def _pin_entries() -> Iterable[tuple]:
    position = 0
    previous = None
    for article_id, target_id in ReadNextPin.objects.order_by(
        "article_id", "position", "pk"
    ).values_list("article_id", "target_id"):
        position = position + 1 if article_id == previous else 0
        previous = article_id
        yield (
            article_id,
            target_id,
            int(ReadNextEntry.Kind.PINNED),
            position,
            None,
            "[]",
        )


def rebuild(*, progress: Progress | None = None) -> RebuildSummary:
    """Recompute every stored feature vector and Read These Next list.

    Deterministic: the same articles give the same lists. Runs in one
    transaction, so readers see the old lists until the new ones are complete.
    """
    report = progress or (lambda stage, done, total: None)
    corpus = _read_corpus(indexed_articles(), report)
    n = len(corpus.pks)
    article_count = corpus_size()
    matrix, keys, frequencies = _feature_matrix(corpus, article_count)
    row_of = {pk: row for row, pk in enumerate(corpus.pks)}
    days = np.array(corpus.days)
    sections = np.array(corpus.sections)
    pools, near = _candidate_pools(
        matrix, days, sections, _blocked_rows(row_of), report
    )

    reason_columns = [
        column for column, key in enumerate(keys) if not key.startswith("w:")
    ]
    labels_by_key = _labels_for_keys(keys[column] for column in reason_columns)
    labels = {
        column: labels_by_key[keys[column]]
        for column in reason_columns
        if keys[column] in labels_by_key
    }
    first_reason_column = len(corpus.vocabulary)

    def reason_weights(row: int) -> dict[int, float]:
        begin, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[begin:end]
        weights = matrix.data[begin:end]
        mine = columns >= first_reason_column
        return dict(zip(columns[mine].tolist(), weights[mine].tolist(), strict=True))

    def near_duplicates(one: int, other: int) -> bool:
        return other in near.get(one, ())

    def computed_entries() -> Iterable[tuple]:
        for row, (ids, scores) in enumerate(pools):
            score_of = dict(zip(ids.tolist(), scores.tolist(), strict=True))
            chosen = _diverse(ids.tolist(), near_duplicates, buffer_length())
            source = reason_weights(row)
            for position, target in enumerate(chosen):
                reasons = _reasons(source, reason_weights(target), labels)
                yield (
                    corpus.pks[row],
                    corpus.pks[target],
                    int(ReadNextEntry.Kind.COMPUTED),
                    position,
                    score_of[target],
                    json.dumps(reasons),
                )
            if (row + 1) % 5000 == 0 or row + 1 == n:
                report("Choosing recommendations", row + 1, n)

    entry_columns = ["article", "target", "kind", "position", "score", "reasons"]
    with transaction.atomic():
        for model in (ArticleFeatureWeight, ReadNextEntry, RecommendationFeature):
            _clear(model)
        report("Saving features", 0, 2)
        _insert_rows(
            RecommendationFeature,
            ["key", "document_frequency"],
            [*zip(keys, frequencies, strict=True), (CORPUS_KEY, article_count)],
        )
        feature_ids = dict(RecommendationFeature.objects.values_list("key", "pk"))
        feature_of_column = np.array([feature_ids[key] for key in keys] or [0])
        rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        pks = np.array(corpus.pks or [0])
        _insert_rows(
            ArticleFeatureWeight,
            ["article", "feature", "weight"],
            zip(
                pks[rows].tolist(),
                feature_of_column[matrix.indices].tolist(),
                matrix.data.tolist(),
                strict=True,
            ),
        )
        report("Saving features", 2, 2)
        _insert_rows(ReadNextEntry, entry_columns, _pin_entries())
        recommendations = _insert_rows(ReadNextEntry, entry_columns, computed_entries())
        caching.invalidate_public_pages()
    return RebuildSummary(
        articles=n, features=len(keys), recommendations=recommendations
    )


# --- Incremental updates ------------------------------------------------------------


@dataclass
class _Source:
    """What choosing an article's list needs to know about the article."""

    pk: int
    days: float
    section_id: int
    vector: dict[int, float]
    labels: dict[int, dict]  # entity and tag features: reason label by feature id
    blocked: set[int]


def _similarities(article_id: int) -> dict[int, float]:
    """Every indexed article sharing a feature with this one, with their similarity."""
    return dict(
        ArticleFeatureWeight.objects.filter(feature__weights__article_id=article_id)
        .exclude(article_id=article_id)
        .values("article_id")
        .annotate(similarity=Sum(F("weight") * F("feature__weights__weight")))
        .values_list("article_id", "similarity")
    )


def _vectors(article_ids: Iterable[int]) -> dict[int, dict[int, float]]:
    vectors: dict[int, dict[int, float]] = defaultdict(dict)
    for article_id, feature_id, weight in ArticleFeatureWeight.objects.filter(
        article_id__in=list(article_ids)
    ).values_list("article_id", "feature_id", "weight"):
        vectors[article_id][feature_id] = weight
    return vectors


def _dot(one: dict[int, float], other: dict[int, float]) -> float:
    if len(other) < len(one):
        one, other = other, one
    return sum(weight * other.get(feature, 0.0) for feature, weight in one.items())


def _metadata(article_ids: Sequence[int]) -> dict[int, tuple[float, int]]:
    return {
        pk: (_days(published_at), section_id)
        for pk, published_at, section_id in Article.objects.filter(
            pk__in=article_ids
        ).values_list("pk", "published_at", "section_id")
    }


def _blocked(article_id: int) -> set[int]:
    return {
        *ReadNextPin.objects.filter(article_id=article_id).values_list(
            "target_id", flat=True
        ),
        *ReadNextExclusion.objects.filter(article_id=article_id).values_list(
            "target_id", flat=True
        ),
    }


def _choose(
    source: _Source,
    similarities: dict[int, float],
    metadata: dict[int, tuple[float, int]],
) -> list[tuple[int, float, list[dict]]]:
    """The source's computed list: (target, score, reasons), best first.

    Candidates are scored in order of similarity, a batch at a time, until no
    candidate left could beat the pool: recency is at most 1, so a score is at
    most similarity + SECTION_BONUS.
    """
    pool_size = POOL_FACTOR * buffer_length()
    ranked = sorted(
        (
            (-similarity, pk)
            for pk, similarity in similarities.items()
            if pk not in source.blocked
        )
    )
    scored: list[tuple[float, int]] = []
    for start in range(0, len(ranked), INSERT_NEIGHBOURS):
        batch = [pk for _, pk in ranked[start : start + INSERT_NEIGHBOURS]]
        missing = [pk for pk in batch if pk not in metadata]
        if missing:
            metadata.update(_metadata(missing))
        batch = [pk for pk in batch if pk in metadata]
        scores = _scores(
            np.array([similarities[pk] for pk in batch]),
            source.days,
            np.array([metadata[pk][0] for pk in batch]),
            np.array([metadata[pk][1] == source.section_id for pk in batch]),
        )
        scored.extend(zip((-scores).tolist(), batch, strict=True))
        scored.sort()
        del scored[pool_size:]
        following = start + INSERT_NEIGHBOURS
        if (
            len(scored) == pool_size
            and following < len(ranked)
            and -scored[-1][0] >= -ranked[following][0] + SECTION_BONUS
        ):
            break
    vectors = _vectors(pk for _, pk in scored)

    def near_duplicates(one: int, other: int) -> bool:
        return _dot(vectors[one], vectors[other]) >= NEAR_DUPLICATE

    score_of = {pk: -negative for negative, pk in scored}
    chosen = _diverse([pk for _, pk in scored], near_duplicates, buffer_length())
    return [
        (pk, score_of[pk], _reasons(source.vector, vectors[pk], source.labels))
        for pk in chosen
    ]


def _write_list(article_id: int, chosen: list[tuple[int, float, list[dict]]]) -> None:
    _delete(
        ReadNextEntry.objects.filter(
            article_id=article_id, kind=ReadNextEntry.Kind.COMPUTED
        )
    )
    ReadNextEntry.objects.bulk_create(
        ReadNextEntry(
            article_id=article_id,
            target_id=target_id,
            kind=ReadNextEntry.Kind.COMPUTED,
            position=position,
            score=score,
            reasons=reasons,
        )
        for position, (target_id, score, reasons) in enumerate(chosen)
    )


def _labels(feature_ids: Iterable[int]) -> dict[int, dict]:
    """Reason labels of the entity and tag features among ``feature_ids``."""
    keys = dict(
        RecommendationFeature.objects.filter(pk__in=list(feature_ids))
        .exclude(key__startswith="w:")
        .values_list("pk", "key")
    )
    by_key = _labels_for_keys(keys.values())
    return {pk: by_key[key] for pk, key in keys.items() if key in by_key}


def _recompute_list(article_id: int) -> None:
    """Choose an indexed article's computed list again from the stored vectors."""
    vector = _vectors([article_id]).get(article_id, {})
    metadata = _metadata([article_id])
    if article_id not in metadata:
        return
    days, section_id = metadata[article_id]
    source = _Source(
        pk=article_id,
        days=days,
        section_id=section_id,
        vector=vector,
        labels=_labels(vector),
        blocked=_blocked(article_id),
    )
    _write_list(article_id, _choose(source, _similarities(article_id), {}))


def _refill(article_ids: Iterable[int]) -> None:
    """Recompute lists left with fewer computed entries than the block shows."""
    short = (
        ReadNextEntry.objects.filter(
            article_id__in=list(article_ids), kind=ReadNextEntry.Kind.COMPUTED
        )
        .values("article_id")
        .annotate(entries=Count("pk"))
        .filter(entries__gte=list_length())
        .values_list("article_id", flat=True)
    )
    for article_id in set(article_ids) - set(short):
        _recompute_list(article_id)


def _leave_other_lists(article_id: int) -> set[int]:
    """Take the article out of every other computed list; return those lists."""
    entries = ReadNextEntry.objects.filter(
        target_id=article_id, kind=ReadNextEntry.Kind.COMPUTED
    )
    lists = set(entries.values_list("article_id", flat=True))
    _delete(entries)
    return lists


def _enter_other_lists(
    source: _Source,
    similarities: dict[int, float],
    metadata: dict[int, tuple[float, int]],
) -> set[int]:
    """Put the article into the lists of its nearest articles where it now scores
    above their lowest stored entry (or their list has room); return them."""
    neighbours = [
        pk
        for _, pk in sorted(
            (-similarity, pk) for pk, similarity in similarities.items()
        )
    ][:INSERT_NEIGHBOURS]
    missing = [pk for pk in neighbours if pk not in metadata]
    if missing:
        metadata.update(_metadata(missing))
    entries: dict[int, list[tuple[float, int]]] = defaultdict(list)
    unavailable = set(
        ReadNextExclusion.objects.filter(
            article_id__in=neighbours, target_id=source.pk
        ).values_list("article_id", flat=True)
    )
    for article_id, target_id, kind, score in ReadNextEntry.objects.filter(
        article_id__in=neighbours
    ).values_list("article_id", "target_id", "kind", "score"):
        if target_id == source.pk:
            unavailable.add(article_id)  # pinned there already
        elif kind == ReadNextEntry.Kind.COMPUTED:
            entries[article_id].append((-score, target_id))

    def near_duplicates(one: int, other: int) -> bool:
        pair = {one, other}
        if source.pk not in pair:
            return False  # two entries the list already holds side by side
        return similarities.get((pair - {source.pk}).pop(), 0.0) >= NEAR_DUPLICATE

    lists = [pk for pk in neighbours if pk not in unavailable and pk in metadata]
    # Scored in one pass: the list's owner is the source of each score.
    scores = _scores(
        np.array([similarities[pk] for pk in lists]),
        np.array([metadata[pk][0] for pk in lists]),
        source.days,
        np.array([metadata[pk][1] == source.section_id for pk in lists]),
    ).tolist()
    size = buffer_length()
    changed: dict[int, list[tuple[int, float]]] = {}
    for pk, score in zip(lists, scores, strict=True):
        entry = (-score, source.pk)
        if len(entries[pk]) >= size and entry > max(entries[pk]):
            # It ranks after every entry of a full list, and entries already
            # side by side are never near-duplicates: the list keeps them all.
            continue
        candidates = sorted([*entries[pk], entry])
        score_of = {target: -negative for negative, target in candidates}
        chosen = _diverse([target for _, target in candidates], near_duplicates, size)
        if source.pk in chosen:
            changed[pk] = [(target, score_of[target]) for target in chosen]
    if not changed:
        return set()

    # Reasons are read (and kept) only for the lists that change.
    reasons = {
        (article_id, target_id): stored
        for article_id, target_id, stored in ReadNextEntry.objects.filter(
            article_id__in=list(changed), kind=ReadNextEntry.Kind.COMPUTED
        ).values_list("article_id", "target_id", "reasons")
    }
    their_vectors = defaultdict(dict)
    for article_id, feature_id, weight in ArticleFeatureWeight.objects.filter(
        article_id__in=list(changed), feature_id__in=list(source.labels)
    ).values_list("article_id", "feature_id", "weight"):
        their_vectors[article_id][feature_id] = weight
    _delete(
        ReadNextEntry.objects.filter(
            article_id__in=list(changed), kind=ReadNextEntry.Kind.COMPUTED
        )
    )
    ReadNextEntry.objects.bulk_create(
        ReadNextEntry(
            article_id=article_id,
            target_id=target,
            kind=ReadNextEntry.Kind.COMPUTED,
            position=position,
            score=score,
            reasons=(
                reasons[article_id, target]
                if target != source.pk
                else _reasons(their_vectors[article_id], source.vector, source.labels)
            ),
        )
        for article_id, chosen in changed.items()
        for position, (target, score) in enumerate(chosen)
    )
    return set(changed)


def _feature_keys(
    counts: Counter[str], entity_ids: Iterable[int], tag_ids: Iterable[int]
) -> list[str]:
    return [
        *(f"w:{word}" for word in counts),
        *(f"e:{pk}" for pk in entity_ids),
        *(f"t:{pk}" for pk in tag_ids),
    ]


def _known_features(keys: Sequence[str]) -> dict[str, tuple[int, int]]:
    return {
        key: (pk, frequency)
        for key, pk, frequency in RecommendationFeature.objects.filter(
            key__in=keys
        ).values_list("key", "pk", "document_frequency")
    }


def _count_in(keys: Sequence[str], change: int) -> dict[str, tuple[int, int]]:
    """Add ``change`` (1 or -1) to the document frequency of each feature,
    creating the ones never seen when adding; return them by key."""
    known = _known_features(keys)
    missing = [key for key in keys if key not in known]
    if missing and change > 0:
        RecommendationFeature.objects.bulk_create(
            [RecommendationFeature(key=key) for key in missing],
            ignore_conflicts=True,
        )
        known.update(_known_features(missing))
    ids = [pk for pk, _ in known.values()]
    if change > 0:
        RecommendationFeature.objects.filter(pk__in=ids).update(
            document_frequency=F("document_frequency") + change
        )
    else:
        RecommendationFeature.objects.filter(
            pk__in=ids, document_frequency__gte=-change
        ).update(document_frequency=F("document_frequency") + change)
    return {
        key: (pk, max(frequency + change, 0)) for key, (pk, frequency) in known.items()
    }


@transaction.atomic
def update_article(article: Article) -> None:
    """Bring Read These Next up to date after the article was published, edited,
    scheduled, withdrawn or unpublished: its pins, its own list, and its place
    in the lists of other articles."""
    # Other articles' pages may change too: forget every cached page once
    # this commits.
    caching.invalidate_public_pages()
    _sync_pins(article)
    text_fields = ("headline", "dek", "body", "section_id", "published_at")
    row = indexed_articles().filter(pk=article.pk).values(*text_fields).first()
    was_indexed = ArticleFeatureWeight.objects.filter(article_id=article.pk).exists()
    if row is not None:
        _index(article.pk, row, entering=not was_indexed)
        return
    if was_indexed:
        row = Article.objects.filter(pk=article.pk).values(*text_fields).get()
        _count_in([*_feature_keys(*_features_of(article.pk, row)), CORPUS_KEY], -1)
        _delete(ArticleFeatureWeight.objects.filter(article_id=article.pk))
    _delete(
        ReadNextEntry.objects.filter(
            article_id=article.pk, kind=ReadNextEntry.Kind.COMPUTED
        )
    )
    _refill(_leave_other_lists(article.pk))


def _features_of(
    article_id: int, row: dict
) -> tuple[Counter[str], dict[int, dict], dict[int, dict]]:
    """The article's word counts, and its entities and tags with reason labels."""
    entities = {
        pk: {"kind": "entity", "name": name, "slug": slug}
        for pk, name, slug in Mention.objects.confirmed()
        .filter(article_id=article_id)
        .order_by("entity_id")
        .values_list("entity_id", "entity__name", "entity__slug")
    }
    tags = {
        pk: {"kind": "tag", "name": name, "slug": slug}
        for pk, name, slug in TaggedArticle.objects.filter(content_object_id=article_id)
        .order_by("tag_id")
        .values_list("tag_id", "tag__name", "tag__slug")
    }
    return word_counts(row["headline"], row["dek"], row["body"]), entities, tags


def _index(article_id: int, row: dict, *, entering: bool) -> None:
    """Store the article's vector, choose its list, and offer it to others'.

    Document frequencies move when an article enters or leaves the index; an
    edit only adds the features never seen before, and the next rebuild makes
    every frequency exact again.
    """
    counts, entities, tags = _features_of(article_id, row)
    keys = _feature_keys(counts, entities, tags)
    # n moves with the index, like a document frequency. Lists rebuilt before
    # it was stored lack it: counted once then, without the entering article,
    # which the count below adds.
    RecommendationFeature.objects.get_or_create(
        key=CORPUS_KEY,
        defaults={"document_frequency": lambda: corpus_size() - entering},
    )
    if entering:
        known = _count_in([*keys, CORPUS_KEY], 1)
    else:
        known = _known_features([*keys, CORPUS_KEY])
        unseen = [key for key in keys if key not in known]
        if unseen:
            known.update(_count_in(unseen, 1))
    article_count = known.pop(CORPUS_KEY)[1]

    def block(block_keys: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        found = [known[key] for key in block_keys]
        return (
            np.array([pk for pk, _ in found], dtype=np.int64),
            np.array([frequency for _, frequency in found], dtype=np.int64),
        )

    word_ids, word_frequencies = block(f"w:{word}" for word in counts)
    feature_ids, weights = _vector(
        (
            word_ids,
            np.array(list(counts), dtype=str),
            np.array(list(counts.values()), dtype=np.float64),
            word_frequencies,
        ),
        block(f"e:{pk}" for pk in entities),
        block(f"t:{pk}" for pk in tags),
        article_count,
    )
    vector = dict(zip(feature_ids.tolist(), weights.tolist(), strict=True))
    _delete(ArticleFeatureWeight.objects.filter(article_id=article_id))
    ArticleFeatureWeight.objects.bulk_create(
        ArticleFeatureWeight(article_id=article_id, feature_id=pk, weight=weight)
        for pk, weight in vector.items()
    )
    labels = {known[f"e:{pk}"][0]: label for pk, label in entities.items()} | {
        known[f"t:{pk}"][0]: label for pk, label in tags.items()
    }
    source = _Source(
        pk=article_id,
        days=_days(row["published_at"]),
        section_id=row["section_id"],
        vector=vector,
        labels={pk: label for pk, label in labels.items() if pk in vector},
        blocked=_blocked(article_id),
    )
    similarities = _similarities(article_id)
    metadata: dict[int, tuple[float, int]] = {}
    _write_list(article_id, _choose(source, similarities, metadata))
    left = _leave_other_lists(article_id)
    entered = _enter_other_lists(source, similarities, metadata)
    _refill(left - entered)


def sync_pins(article: Article) -> None:
    """Mirror the article's pins into its stored list, in the editor's order."""
    caching.invalidate_public_pages()
    _sync_pins(article)


def _sync_pins(article: Article) -> None:
    targets = list(
        ReadNextPin.objects.filter(article_id=article.pk)
        .order_by("position", "pk")
        .values_list("target_id", flat=True)
    )
    _delete(
        ReadNextEntry.objects.filter(
            Q(kind=ReadNextEntry.Kind.PINNED) | Q(target_id__in=targets),
            article_id=article.pk,
        )
    )
    ReadNextEntry.objects.bulk_create(
        ReadNextEntry(
            article_id=article.pk,
            target_id=target_id,
            kind=ReadNextEntry.Kind.PINNED,
            position=position,
        )
        for position, target_id in enumerate(targets)
    )


def preview_entries(article: Article, pins: Sequence[ReadNextPin]) -> list:
    """The block as the article's page would show it with these pins: for
    previews of revisions, whose pins may differ from the stored ones."""
    pinned = [
        ReadNextEntry(
            article=article,
            target=pin.target,
            kind=ReadNextEntry.Kind.PINNED,
            position=position,
        )
        for position, pin in enumerate(pins)
        if pin.target.is_live
    ]
    computed = (
        ReadNextEntry.objects.live()
        .filter(article_id=article.pk, kind=ReadNextEntry.Kind.COMPUTED)
        .exclude(target_id__in=[entry.target.pk for entry in pinned])
        .select_related("target__section")
    )
    return [*pinned, *computed[: list_length()]][: list_length()]
