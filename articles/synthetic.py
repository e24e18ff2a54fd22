"""A synthetic corpus of story clusters, to measure Read These Next against.

Stories come in clusters: a dozen or so articles over a few weeks or months
that share core entities, a topical tag and vocabulary. Noise makes the
clusters hard to tell apart: popular entities (China, the European Union ...)
appear across all of them, the standard tags are shared widely, a topical tag
and a core entity often serve several clusters, topic words are drawn from a
shared pool, a quarter of each cluster's stories sit outside its section,
some follow-ups rewrite an earlier story of their cluster, and a few stories
are drafts, withdrawn or scheduled.

Every article says it is synthetic: its headline starts with "[Synthetic]",
its first paragraph says so and it carries the "Synthetic" tag. Its slug
names its cluster ("synthetic-c00042-000317"), so a benchmark can tell whether
a recommendation stays in the same story. The same seed, article count and
end date give the same corpus.
"""

import datetime
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import (
    Article,
    Author,
    Byline,
    Section,
    Tag,
    TaggedArticle,
)
from articles.rendering import first_paragraph_summary, render_markdown
from entities.models import Entity, Mention

SLUG_PREFIX = "synthetic-"
HEADLINE_PREFIX = "[Synthetic] "
SYNTHETIC_TAG = "Synthetic"
MARKER_SENTENCE = (
    "This article is synthetic: Newsroom generated it to measure its "
    "recommendations, and nothing in it is real."
)
SPAN_DAYS = 730
BATCH = 1000

SECTIONS = ["Business", "Technology", "World", "Regulation", "Science", "Politics",
            "Culture", "Sport"]  # fmt: skip
POPULAR_ENTITIES = [
    ("China", "place"), ("United States", "place"), ("European Union", "organisation"),
    ("Germany", "place"), ("Japan", "place"), ("India", "place"),
    ("United Kingdom", "place"), ("France", "place"), ("Brazil", "place"),
    ("Canada", "place"), ("World Bank", "organisation"),
    ("United Nations", "organisation"),
]  # fmt: skip
COMPANY_SUFFIXES = ["Group", "Motors", "Holdings", "Systems", "Bank", "Energy", "Labs",
                    "Logistics", "Foods", "Mining", "Pharma", "Networks"]  # fmt: skip
PLACE_FORMS = ["Port {}", "{} Valley", "{}ia", "New {}", "{} Bay"]
TAG_NOUNS = ["Policy", "Markets", "Affairs", "Dispute", "Programme", "Reform",
             "Inquiry", "Alliance", "Initiative", "Crisis"]  # fmt: skip
_GENERAL = """
market plans government officials company growth investment report analysts
quarter percent billion million deal talks policy prices costs demand supply
production workers industry sector region agreement statement decision project
programme launch results sales shares investors board strategy partners
customers rules review support pressure risk impact change future expansion
capacity output exports imports trade tariffs budget funding spending revenue
profit losses jobs plant factory network service technology research data
energy power transport infrastructure finance banks lenders consumers
households inflation rates economy forecast target deadline proposal measures
reforms leaders ministers regulators court ruling inquiry security safety
standards quality efficiency competition rivals merger stake unit division
operations office staff talent training health climate emissions water land
housing cities farmers weather season audience league players festival
"""
GENERAL_WORDS = _GENERAL.split()
VERBS = ["expand", "reduce", "review", "support", "delay", "accelerate",
         "reshape", "limit", "boost", "test", "fund", "challenge", "extend",
         "replace"]  # fmt: skip
HEADLINE_VERBS = ["Weighs", "Unveils", "Expands", "Delays", "Backs", "Questions",
                  "Targets", "Revives", "Tests", "Defends"]  # fmt: skip
SENTENCES = [
    "{E} said the {W} {G} would {V} its {G} by {NUM} percent.",
    "Analysts expect the {W} {G} to {V} as {E} pushes its {W} {G}.",
    "The {G} around {W} has drawn {G} from {E} and its {G}.",
    "According to {E}, the {W} {G} is worth about {NUM} million.",
    "Critics warn that {W} {G} could {V} the {G} within a {G}.",
    "{E} and {E2} are still in {G} over the {W} {G}.",
    "Officials plan to {V} the {W} {G} before the {G} ends.",
    "The {W} {G} follows months of {G} about {W} and {G}.",
    "Supporters of the {W} {G} say it will {V} {G} and {G}.",
    "{E} declined to comment on the {W} {G} or its {G}.",
    "A {G} from {E} put the {W} {G} at {NUM} billion.",
    "Local {G} say the {W} {G} has changed the {G}.",
]
_ONSETS = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v",
           "z", "br", "cr", "dr", "gr", "kl", "pl", "st", "tr", "sk", "sh", "th",
           "ch"]  # fmt: skip
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
_CODAS = ["", "", "n", "r", "l", "s", "x", "nd", "rt", "st", "m", "k"]
_SLOT = re.compile(r"\{(E2|E|W|G|V|NUM)\}")

Progress = Callable[[int, int], None]


class CorpusError(Exception):
    """The corpus cannot be generated here; nothing was written."""


def cluster_of(slug: str) -> int | None:
    """The cluster a synthetic article belongs to, read from its slug."""
    match = re.fullmatch(rf"{SLUG_PREFIX}c(\d+)-\d+", slug)
    return int(match[1]) if match else None


@dataclass
class _Cluster:
    number: int
    section: Section
    words: list[str]
    entities: list[Entity]
    standard_tag: Tag
    topical_tag: Tag
    start: datetime.datetime
    days: int
    stories: list[tuple[str, str]] = field(default_factory=list)  # (dek, body)


class _Generator:
    def __init__(self, *, seed: int, until: datetime.datetime) -> None:
        self.random = random.Random(seed)
        self.until = until
        self.words_seen: set[str] = set()

    def pseudo_word(self, syllables: int) -> str:
        while True:
            word = "".join(
                self.random.choice(_ONSETS)
                + self.random.choice(_VOWELS)
                + self.random.choice(_CODAS)
                for _ in range(syllables)
            )
            if len(word) >= 5 and word not in self.words_seen:
                self.words_seen.add(word)
                return word

    def name(self) -> str:
        return self.pseudo_word(self.random.randint(2, 3)).capitalize()

    def fill(self, template: str, cluster: _Cluster, chosen: list[Entity],
             pool: list[str], mentioned: Counter) -> str:  # fmt: skip
        def slot(match: re.Match) -> str:
            kind = match[1]
            if kind in {"E", "E2"}:
                entity = chosen[0 if kind == "E" else 1 % len(chosen)]
                mentioned[entity.pk] += 1
                return entity.name
            if kind == "W":
                # Mostly the cluster's own words, sometimes any topic word.
                if self.random.random() < 0.5:
                    return self.random.choice(cluster.words)
                return self.random.choice(pool)
            if kind == "G":
                return self.random.choice(GENERAL_WORDS)
            if kind == "V":
                return self.random.choice(VERBS)
            return str(self.random.randint(2, 95))

        sentence = _SLOT.sub(slot, template)
        return sentence[0].upper() + sentence[1:]


def generate(
    *,
    articles: int,
    seed: int,
    until: datetime.date,
    progress: Progress | None = None,
) -> int:
    """Write ``articles`` synthetic articles; return how many clusters they form."""
    if articles < 1:
        raise CorpusError("--articles must be at least 1.")
    existing = Article.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing:
        raise CorpusError(
            f"This database already holds {existing:,} synthetic articles; "
            "generate a corpus into an empty database."
        )
    report = progress or (lambda done, total: None)
    end = timezone.make_aware(datetime.datetime.combine(until, datetime.time(18)))
    generator = _Generator(seed=seed, until=end)
    rng = generator.random
    with transaction.atomic():
        sections = [
            Section.objects.get_or_create(slug=slugify(name), defaults={"name": name})[
                0
            ]
            for name in SECTIONS
        ]
        synthetic_tag = Tag.objects.get_or_create(
            slug=slugify(SYNTHETIC_TAG), defaults={"name": SYNTHETIC_TAG}
        )[0]
        standard_tags = list(
            Tag.objects.exclude(pk=synthetic_tag.pk)
            .filter(slug__in=STANDARD_TAG_SLUGS)
            .order_by("slug")
        )
        authors = [
            Author.objects.get_or_create(
                slug=f"{SLUG_PREFIX}{slugify(full)}", defaults={"name": full}
            )[0]
            for full in (f"{generator.name()} {generator.name()}" for _ in range(30))
        ]
        popular = [
            Entity.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "kind": kind}
            )[0]
            for name, kind in POPULAR_ENTITIES
        ]
        sizes = []
        while sum(sizes) < articles:
            sizes.append(rng.randint(6, 24))
        sizes[-1] -= sum(sizes) - articles
        cluster_count = len(sizes)
        pool = [generator.pseudo_word(rng.randint(2, 3))
                for _ in range(max(300, articles // 8))]  # fmt: skip
        topical_tags = _topical_tags(generator, max(20, articles // 100))
        core_entities = _core_entities(generator, max(30, cluster_count))
        written = 0
        batch: list[tuple[Article, _Cluster, list[Entity], Counter, list[Tag]]] = []
        for number, size in enumerate(sizes):
            days = rng.randint(10, 120)
            cluster = _Cluster(
                number=number,
                section=rng.choice(sections),
                words=rng.sample(pool, 10),
                entities=rng.sample(core_entities, 3),
                standard_tag=rng.choice(standard_tags),
                topical_tag=rng.choice(topical_tags),
                start=end - datetime.timedelta(days=rng.uniform(days + 1, SPAN_DAYS)),
                days=days,
            )
            for index in range(size):
                batch.append(
                    _story(
                        generator,
                        cluster,
                        index,
                        written,
                        popular,
                        pool,
                        sections,
                        standard_tags,
                    )
                )
                written += 1
                if len(batch) == BATCH:
                    _write(batch, synthetic_tag, authors, rng)
                    batch = []
                    report(written, articles)
        if batch:
            _write(batch, synthetic_tag, authors, rng)
            report(written, articles)
    return cluster_count


# The standard vocabulary of migration 0002; any present are shared widely.
STANDARD_TAG_SLUGS = [
    "international-trade", "automotive-industry", "electric-vehicles",
    "manufacturing", "trade-policy", "supply-chains", "artificial-intelligence",
    "technology", "corporate-earnings", "investment", "energy-transition",
]  # fmt: skip


def _topical_tags(generator: _Generator, count: int) -> list[Tag]:
    names = []
    while len(names) < count:
        name = f"{generator.name()} {generator.random.choice(TAG_NOUNS)}"
        names.append(name)
    Tag.objects.bulk_create(
        [Tag(name=name, slug=slugify(name)) for name in names], ignore_conflicts=True
    )
    by_slug = Tag.objects.in_bulk([slugify(name) for name in names], field_name="slug")
    return [by_slug[slugify(name)] for name in names]


def _core_entities(generator: _Generator, count: int) -> list[Entity]:
    rng = generator.random
    entities = []
    for _ in range(count):
        kind = rng.choice(["company", "company", "person", "place", "organisation"])
        if kind == "company":
            name = f"{generator.name()} {rng.choice(COMPANY_SUFFIXES)}"
        elif kind == "person":
            name = f"{generator.name()} {generator.name()}"
        elif kind == "place":
            name = rng.choice(PLACE_FORMS).format(generator.name())
        else:
            name = f"{generator.name()} Council"
        entities.append(
            Entity(name=name, slug=f"{SLUG_PREFIX}{slugify(name)}", kind=kind)
        )
    Entity.objects.bulk_create(entities, ignore_conflicts=True)
    by_slug = Entity.objects.in_bulk([e.slug for e in entities], field_name="slug")
    return [by_slug[entity.slug] for entity in entities]


def _story(
    generator: _Generator,
    cluster: _Cluster,
    index: int,
    number: int,
    popular: list[Entity],
    pool: list[str],
    sections: list[Section],
    standard_tags: list[Tag],
) -> tuple[Article, _Cluster, list[Entity], Counter, list[Tag]]:
    rng = generator.random
    chosen = rng.sample(cluster.entities, 2)
    chosen += [entity for entity in popular if rng.random() < 0.2][:3]
    mentioned: Counter = Counter()
    first, second = rng.sample(cluster.words, 2)
    headline = (
        f"{HEADLINE_PREFIX}{chosen[0].name} {rng.choice(HEADLINE_VERBS)} "
        f"{first.capitalize()} {second.capitalize()} "
        f"{rng.choice(GENERAL_WORDS).capitalize()}"
    )
    mentioned[chosen[0].pk] += 1
    if cluster.stories and rng.random() < 0.03:
        # A follow-up that rewrites an earlier story of the cluster.
        dek, body = rng.choice(cluster.stories)
        body = body.replace(MARKER_SENTENCE, f"{MARKER_SENTENCE} Updated.", 1)
        for entity in cluster.entities + popular:
            mentioned[entity.pk] += body.count(entity.name)
    else:
        fill = generator.fill
        dek = fill(rng.choice(SENTENCES), cluster, chosen, pool, mentioned)
        paragraphs = []
        for paragraph in range(rng.randint(4, 6)):
            sentences = [
                fill(
                    rng.choice(SENTENCES),
                    cluster,
                    rng.sample(chosen, len(chosen)),
                    pool,
                    mentioned,
                )
                for _ in range(rng.randint(3, 5))
            ]
            if paragraph == 0:
                sentences.insert(0, MARKER_SENTENCE)
            paragraphs.append(" ".join(sentences))
        body = "\n\n".join(paragraphs)
        cluster.stories.append((dek, body))
    published_at = cluster.start + datetime.timedelta(
        days=cluster.days * index / 24, hours=rng.uniform(0, 12)
    )
    status = Article.Status.PUBLISHED
    roll = rng.random()
    if roll < 0.01:
        status, published_at = Article.Status.DRAFT, None
    elif roll < 0.03:
        status = Article.Status.WITHDRAWN
    elif roll < 0.04:
        published_at = generator.until + datetime.timedelta(days=rng.uniform(1, 30))
    tags = [cluster.standard_tag] if rng.random() < 0.85 else []
    if rng.random() < 0.7:
        tags.append(cluster.topical_tag)
    if rng.random() < 0.3:
        tags.append(rng.choice(standard_tags))
    article = Article(
        headline=headline,
        slug=f"{SLUG_PREFIX}c{cluster.number:05d}-{number:06d}",
        dek=dek,
        body=body,
        section=cluster.section if rng.random() < 0.75 else rng.choice(sections),
        status=status,
        published_at=published_at,
    )
    return article, cluster, chosen, mentioned, list(dict.fromkeys(tags))


def _write(batch, synthetic_tag: Tag, authors: list[Author], rng) -> None:
    articles = []
    for article, *_ in batch:
        article.body_html = render_markdown(article.body)
        article.summary = article.dek or first_paragraph_summary(article.body_html)
        articles.append(article)
    Article.objects.bulk_create(articles)
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tag)
        for article, _, _, _, tags in batch
        for tag in [synthetic_tag, *tags]
    )
    Mention.objects.bulk_create(
        Mention(
            article=article,
            entity_id=entity_id,
            count=count,
            status=Mention.Status.CONFIRMED,
        )
        for article, _, _, mentioned, _ in batch
        for entity_id, count in mentioned.items()
        if count
    )
    Byline.objects.bulk_create(
        Byline(article=article, author=rng.choice(authors)) for article, *_ in batch
    )
