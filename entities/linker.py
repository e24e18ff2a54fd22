"""Find known entities in an article's text and record them as mentions.

Names and aliases match as whole words, case as written, longest first, so
"Volkswagen Group" is one mention and not "Volkswagen" plus a stray "Group";
a possessive ("China's") still counts as the name.
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from articles.models import Article
from articles.search import index_articles
from entities.models import Entity, EntityAlias, Mention


@dataclass(frozen=True)
class Gazetteer:
    """Every entity name and alias, compiled once into a single pattern."""

    pattern: re.Pattern[str] | None
    entity_for_name: dict[str, int]

    @classmethod
    def from_database(cls) -> "Gazetteer":
        """Build the gazetteer from every entity and alias in the database."""
        entity_for_name: dict[str, int] = {}
        for entity_id, name in Entity.objects.values_list("pk", "name"):
            entity_for_name[name] = entity_id
        for entity_id, name in EntityAlias.objects.values_list("entity_id", "name"):
            entity_for_name.setdefault(name, entity_id)
        return cls.from_names(entity_for_name)

    @classmethod
    def from_names(cls, entity_for_name: dict[str, int]) -> "Gazetteer":
        names = sorted(
            (name for name in entity_for_name if name.strip()), key=len, reverse=True
        )
        if not names:
            return cls(pattern=None, entity_for_name={})
        # Alternatives are tried in order, so longest-first gives the longest match.
        alternation = "|".join(re.escape(name) for name in names)
        return cls(
            pattern=re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"),
            entity_for_name=entity_for_name,
        )

    def find(self, text: str) -> Counter[int]:
        """Count the mentions of each entity in ``text``."""
        if self.pattern is None:
            return Counter()
        return Counter(
            self.entity_for_name[match.group()] for match in self.pattern.finditer(text)
        )


def article_text(article: Article) -> str:
    return "\n\n".join([article.headline, article.dek, article.body])


@transaction.atomic
def link_article(article: Article, *, gazetteer: Gazetteer | None = None) -> None:
    """Recompute an article's mentions, keeping every editor's decision."""
    gazetteer = gazetteer or Gazetteer.from_database()
    counts = gazetteer.find(article_text(article))
    existing = {mention.entity_id: mention for mention in article.mentions.all()}

    stale = [
        mention.pk
        for entity_id, mention in existing.items()
        if entity_id not in counts and mention.status != Mention.Status.REJECTED
    ]
    Mention.objects.filter(pk__in=stale).delete()

    changed = []
    created = []
    for entity_id, count in counts.items():
        mention = existing.get(entity_id)
        if mention is None:
            created.append(
                Mention(
                    article=article,
                    entity_id=entity_id,
                    count=count,
                    status=Mention.Status.CONFIRMED,
                )
            )
        elif mention.count != count:
            mention.count = count
            changed.append(mention)
    Mention.objects.bulk_create(created)
    Mention.objects.bulk_update(changed, ["count"])
    # Bulk writes send no signals: the article's entity names are re-indexed here.
    index_articles([article.pk])
