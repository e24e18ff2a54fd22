"""Measure the entity linker against a large gazetteer.

Fills a throw-away database with generated entities, aliases and articles, then
measures what issue 4 sets targets for:

- building the automaton from the database (time, and the peak RSS of a fresh
  process that builds it);
- linking one 2,000-word article (finding mentions in its text; and the whole
  job: reading the Markdown, finding, and rendering the body with its links);
- re-linking every article in bulk, as ``relink_entities`` does: a first pass
  that creates the mentions and links, and a second one that finds nothing to
  change.

Run from the repository root (SQLite in a temporary directory by default; a
database given with --database-url must be a scratch one: it is emptied):

    .venv/bin/python benchmarks/linker.py
    .venv/bin/python benchmarks/linker.py --database-url postgres://postgres@127.0.0.1:5432/bench

Names, aliases and texts are generated from a fixed seed, so runs are comparable.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vos", "dar", "el", "quin", "sor", "bel",
             "tur", "an", "ve", "zo", "pri", "mar", "col", "fen", "gra", "hul", "ist",
             "jor", "ned", "op", "rus", "sal", "tor", "ul", "wen", "yar", "zen", "bru",
             "cas", "dov", "fir", "gol", "hes", "kip", "lun"]  # fmt: skip
COMPANY_WORDS = ["Group", "Motors", "Holdings", "Energy", "Systems", "Bank", "Partners",
                 "Logistics", "Robotics", "Airlines", "Steel", "Foods"]  # fmt: skip
ORGANISATION_WORDS = ["Council", "Association", "Ministry", "Agency", "Federation",
                      "Institute", "Commission", "Union"]  # fmt: skip
PROSE_TEXT = """\
the a of to and in that for on with as by at from it is was were be has have
said would could will its their this more than about after before over under new year
market prices sales plan plans company companies government officials report reports
week month quarter growth costs demand supply chain industry factory factories workers
analysts investors deal talks trade policy rules cars vehicles batteries energy power
data model models results shares stock economy exports imports tariffs rates jobs city
region country people local national global first second last next other such many most
some while but also however although because since when where which who whose what
expected announced reported agreed planned built opened closed raised cut rose fell
higher lower strong weak early late long short large small major minor"""
PROSE = PROSE_TEXT.split()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=50_000)
    parser.add_argument("--aliases-per-entity", type=int, default=2)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--article-words", type=int, default=600, help="words per bulk article"
    )
    parser.add_argument("--long-article-words", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measure")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--measure-build", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def memory_mb(field: str) -> float:
    """Read VmRSS (resident now) or VmHWM (peak resident) of this process, in MB.

    Not getrusage: on Linux a child's ru_maxrss starts from its parent's.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure_build() -> None:
    """In a fresh process: build the linker from the database, print JSON."""
    from entities.linker import Linker

    before = memory_mb("VmRSS")
    started = time.perf_counter()
    linker = Linker.from_database()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": memory_mb("VmHWM"),
                "rss_before_mb": before,
                "rss_after_mb": memory_mb("VmRSS"),
                "keys": linker.size,
            }
        )
    )


def word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def generate_gazetteer(
    rng: random.Random, count: int, aliases_per_entity: int
) -> list[tuple[str, str, list[str]]]:
    """Return (name, kind, aliases) for ``count`` distinct generated entities."""
    entities: dict[str, tuple[str, list[str]]] = {}
    while len(entities) < count:
        kind = rng.choice(["company", "person", "place", "organisation"])
        if kind == "company":
            name = f"{word(rng, 3)} {rng.choice(COMPANY_WORDS)}"
        elif kind == "person":
            name = f"{word(rng, 2)} {word(rng, 3)}"
        elif kind == "place":
            name = word(rng, rng.choice([2, 3, 4]))
        else:
            name = f"{word(rng, 3)} {rng.choice(ORGANISATION_WORDS)}"
        if name in entities:
            continue
        first = name.split()[0]
        candidates = [
            "".join(part[0] for part in name.split()).upper() + word(rng, 1).upper(),
            f"{first} {word(rng, 2)}",
            f"{name} {rng.choice(['Co.', 'Ltd', 'International', 'Region'])}",
        ]
        entities[name] = (kind, candidates[:aliases_per_entity])
    return [(name, kind, aliases) for name, (kind, aliases) in entities.items()]


def generate_text(rng: random.Random, words: int, spellings: list[str]) -> str:
    """Markdown paragraphs of plain prose, naming an entity every 40 words or so."""
    paragraphs: list[str] = []
    sentence: list[str] = []
    paragraph: list[str] = []
    for position in range(words):
        if position % 40 == 7:
            sentence.append(rng.choice(spellings))
        else:
            sentence.append(rng.choice(PROSE))
        if len(sentence) >= rng.randint(12, 24):
            paragraph.append(as_sentence(sentence))
            sentence = []
            if len(paragraph) == 4:
                paragraphs.append(" ".join(paragraph))
                paragraph = []
    if sentence:
        paragraph.append(as_sentence(sentence))
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def as_sentence(words: list[str]) -> str:
    text = " ".join(words)
    return f"{text[0].upper()}{text[1:]}."


def timed(function, runs: int) -> tuple[float, float]:
    """Median and slowest of ``runs`` calls, in milliseconds."""
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations), max(durations)


def main() -> None:
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory() as directory:
        database_url = arguments.database_url or f"sqlite:///{directory}/bench.sqlite3"
        setup_django(database_url)
        if arguments.measure_build:
            measure_build()
            return
        run(arguments, database_url)


def run(arguments: argparse.Namespace, database_url: str) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django.utils.text import slugify

    from articles.models import Article, Section
    from entities.linker import current_linker
    from entities.mentions import read_article, relink_articles
    from entities.models import Entity, EntityAlias, Mention

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(4)
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {connection.vendor}, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )

    gazetteer = generate_gazetteer(
        rng, arguments.entities, arguments.aliases_per_entity
    )
    Entity.objects.bulk_create(
        (
            Entity(name=name, slug=f"{slugify(name)}-{number}", kind=kind)
            for number, (name, kind, _) in enumerate(gazetteer)
        ),
        batch_size=2_000,
    )
    ids = dict(Entity.objects.values_list("name", "pk"))
    EntityAlias.objects.bulk_create(
        (
            EntityAlias(entity_id=ids[name], name=alias)
            for name, _, aliases in gazetteer
            for alias in aliases
        ),
        batch_size=2_000,
    )
    print(
        f"gazetteer: {Entity.objects.count()} entities, "
        f"{EntityAlias.objects.count()} aliases"
    )

    child = subprocess.run(
        [sys.executable, __file__, "--measure-build", "--database-url", database_url],
        check=True,
        capture_output=True,
        text=True,
    )
    build = json.loads(child.stdout)
    print(
        f"build from the database: {build['seconds']:.2f} s, {build['keys']} keys; "
        f"peak RSS of the process {build['peak_rss_mb']:.0f} MB "
        f"({build['rss_before_mb']:.0f} MB before building, "
        f"{build['rss_after_mb']:.0f} MB after)"
    )

    linker = current_linker()
    spellings = [name for name, _, _ in gazetteer[:2_000]] + [
        alias for _, _, aliases in gazetteer[:2_000] for alias in aliases
    ]
    section = Section.objects.create(name="Bench", slug="bench")
    long_body = generate_text(rng, arguments.long_article_words, spellings)
    long_article = Article(headline="A long story", dek="", body=long_body)
    found = linker.find(long_body)
    print(
        f"long article: {len(long_body.split())} words, {len(long_body)} characters, "
        f"{len(found)} mentions of {len({m.entity_id for m in found})} entities"
    )
    median, slowest = timed(lambda: linker.find(long_body), arguments.runs)
    print(f"  find mentions in its text: median {median:.1f} ms, max {slowest:.1f} ms")
    median, slowest = timed(lambda: read_article(long_article, linker), arguments.runs)
    print(
        f"  read it (Markdown blocks + find): median {median:.1f} ms, "
        f"max {slowest:.1f} ms"
    )
    median, slowest = timed(
        lambda: read_article(long_article, linker).document.render({}),
        arguments.runs,
    )
    print(f"  read and render its body: median {median:.1f} ms, max {slowest:.1f} ms")

    now = timezone.now()
    Article.objects.bulk_create(
        (
            Article(
                headline=f"Story {number}",
                slug=f"story-{number}",
                body=generate_text(rng, arguments.article_words, spellings),
                section=section,
                status=Article.Status.PUBLISHED,
                published_at=now,
            )
            for number in range(arguments.articles)
        ),
        batch_size=500,
    )
    for label in ["first link (creates mentions)", "re-link (nothing changes)"]:
        started = time.perf_counter()
        changed = relink_articles(Article.objects.all(), linker=linker)
        seconds = time.perf_counter() - started
        print(
            f"relink {arguments.articles} articles of {arguments.article_words} "
            f"words, {label}: {seconds:.1f} s, {changed} changed, "
            f"{Mention.objects.count()} mentions"
        )


if __name__ == "__main__":
    main()
