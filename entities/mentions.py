"""Record which entities each article mentions, and link them in its body.

Re-linking an article reads its headline, dek and body with the linker, then
writes its mentions and its rendered body in one transaction:

- an entity found again keeps the status it had (an editor's rejection or
  confirmation stays); one found for the first time gets its entity's policy;
- a mention no longer found is deleted, unless an editor decided it;
- the body's first linkable mention of each confirmed entity links to the
  entity's page (never in headings, code or an existing link).

Articles are re-linked after every save, once the transaction commits: the
admin saves an article's inlines (its mentions among them) after the article
itself, and re-linking must see the editor's decisions.
"""

import bisect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from articles import page_data
from articles.caching import invalidate_public_pages
from articles.models import Article
from articles.rendering import MarkdownDocument
from articles.search import index_articles
from entities.linker import Linker, current_linker
from entities.models import Mention, MentionPolicy

HEADLINE_WEIGHT = 3
LEAD_WEIGHT = 2  # the dek and the body's first paragraph
BODY_WEIGHT = 1
CHUNK_SIZE = 200


@dataclass
class Found:
    """What the linker found of one entity in one article."""

    first_position: int
    count: int = 0
    weight: int = 0


@dataclass
class Reading:
    """One article as the linker read it."""

    document: MarkdownDocument
    found: dict[int, Found] = field(default_factory=dict)
    # entity id -> (block, start, end) of its first mention a link may go on
    link_spots: dict[int, tuple[int, int, int]] = field(default_factory=dict)

    def salience(self, entity_id: int) -> float:
        total = sum(found.weight for found in self.found.values())
        return round(self.found[entity_id].weight / total, 4)


def read_article(article: Article, linker: Linker) -> Reading:
    """Find every entity the article names, where first, how often and how much."""
    reading = Reading(document=MarkdownDocument(article.body))
    blocks = reading.document.blocks
    first_paragraph = next((i for i, b in enumerate(blocks) if not b.heading), None)
    # The headline, dek and body blocks are read as one text, a blank line apart:
    # positions count from the headline's start.
    texts = [article.headline, article.dek, *(block.text for block in blocks)]
    weights = [HEADLINE_WEIGHT, LEAD_WEIGHT]
    weights += [
        LEAD_WEIGHT if index == first_paragraph else BODY_WEIGHT
        for index in range(len(blocks))
    ]
    starts = list(itertools.accumulate((len(text) + 2 for text in texts), initial=0))
    for match in linker.find("\n\n".join(texts)):
        part = bisect.bisect_right(starts, match.start) - 1
        found = reading.found.setdefault(
            match.entity_id, Found(first_position=match.start)
        )
        found.count += 1
        found.weight += weights[part]
        block_index = part - 2
        if block_index < 0 or match.entity_id in reading.link_spots:
            continue
        start, end = match.start - starts[part], match.end - starts[part]
        if blocks[block_index].can_link(start, end):
            reading.link_spots[match.entity_id] = (block_index, start, end)
    return reading


@dataclass
class Changes:
    """The writes that bring a batch of articles up to date."""

    create: list[Mention] = field(default_factory=list)
    update: list[Mention] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    bodies: list[Article] = field(default_factory=list)

    def count(self) -> int:
        return sum(map(len, [self.create, self.update, self.delete, self.bodies]))

    def save(self) -> None:
        if self.count():
            # Bulk writes send no post_save, which is what forgets cached pages.
            invalidate_public_pages()
        Mention.objects.filter(pk__in=self.delete).delete()
        Mention.objects.bulk_create(self.create)
        Mention.objects.bulk_update(
            self.update, ["count", "first_position", "salience"]
        )
        Article.objects.bulk_update(self.bodies, ["body_html"])
        # Nor for the pages that show these bodies and entities.
        page_data.invalidate(
            {mention.article_id for mention in [*self.create, *self.update]}
            | {article.pk for article in self.bodies}
        )
        # The search index holds confirmed entities' names; bulk_create sent no
        # signal for the new ones (deleted mentions did send theirs).
        index_articles(
            mention.article_id
            for mention in self.create
            if mention.status == Mention.Status.CONFIRMED
        )


def plan_article(
    article: Article, existing: Iterable[Mention], linker: Linker, changes: Changes
) -> bool:
    """Add to ``changes`` what re-linking this article writes; say if it is anything."""
    reading = read_article(article, linker)
    writes_before = changes.count()
    statuses: dict[int, str] = {}
    for mention in existing:
        if mention.entity_id in reading.found:
            found = reading.found[mention.entity_id]
            wanted = (
                found.count,
                found.first_position,
                reading.salience(mention.entity_id),
            )
        elif mention.by_editor:
            wanted = (0, None, 0.0)
        else:
            changes.delete.append(mention.pk)
            continue
        statuses[mention.entity_id] = mention.status
        if (mention.count, mention.first_position, mention.salience) != wanted:
            mention.count, mention.first_position, mention.salience = wanted
            changes.update.append(mention)
    for entity_id, found in reading.found.items():
        if entity_id in statuses:
            continue
        status = (
            Mention.Status.CONFIRMED
            if linker.policy(entity_id) == MentionPolicy.CONFIRM
            else Mention.Status.SUGGESTED
        )
        statuses[entity_id] = status
        changes.create.append(
            Mention(
                article=article,
                entity_id=entity_id,
                count=found.count,
                first_position=found.first_position,
                salience=reading.salience(entity_id),
                status=status,
            )
        )
    links: dict[int, list[tuple[int, int, str]]] = {}
    for entity_id, (block, start, end) in reading.link_spots.items():
        if statuses[entity_id] == Mention.Status.CONFIRMED:
            links.setdefault(block, []).append((start, end, linker.url(entity_id)))
    body_html = reading.document.render(links)
    if body_html != article.body_html:
        article.body_html = body_html
        changes.bodies.append(article)
    return changes.count() > writes_before


def relink_articles(
    articles: QuerySet[Article],
    *,
    linker: Linker | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Re-link each article, a chunk per transaction; return how many changed."""
    ids = list(articles.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for done in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[done : done + CHUNK_SIZE]
        # A change to the entities between chunks is picked up by the next one.
        chunk_linker = linker or current_linker()
        with transaction.atomic():
            existing: dict[int, list[Mention]] = {}
            for mention in Mention.objects.filter(article_id__in=chunk).order_by("pk"):
                existing.setdefault(mention.article_id, []).append(mention)
            changes = Changes()
            for article in Article.objects.filter(pk__in=chunk).only(
                "pk", "headline", "dek", "body", "body_html"
            ):
                changed += plan_article(
                    article, existing.get(article.pk, []), chunk_linker, changes
                )
            changes.save()
        if progress is not None:
            progress(done + len(chunk), len(ids))
    return changed


def relink_article(article: Article, *, linker: Linker | None = None) -> None:
    """Re-link one article now."""
    relink_articles(Article.objects.filter(pk=article.pk), linker=linker)


def relink_on_commit(article_ids: Iterable[int]) -> None:
    """Re-link these articles once the current transaction commits."""
    ids = sorted(set(article_ids))
    if ids:
        transaction.on_commit(
            lambda: relink_articles(Article.objects.filter(pk__in=ids)), robust=True
        )
