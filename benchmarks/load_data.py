"""The database side of the load run: what to request, and whether edits held.

    python -m benchmarks.load_data plan PLAN.json     # accounts, API key, addresses
    python -m benchmarks.load_data verify EDITS.jsonl # every acknowledged save kept?

Run by benchmarks/load.py in a process of its own, with the environment of the
server under load (the same DATABASE_URL), so it reads what gunicorn serves.
"""

import json
import os
import random
import secrets
import sys
from pathlib import Path

import django

EDITORS = ("load-editor-1", "load-editor-2")
# Both editors work on the same few stories, so their saves collide now and
# then and the optimistic lock has to refuse the stale one.
EDITED_ARTICLES = 8
SAMPLE_ARTICLES = 2000
SAMPLE_SUBJECTS = 200
SEARCH_WORDS = 300


def plan(path: Path, *, seed: int = 1) -> None:
    """Create the editors and a partner key; write what the users will request."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from articles.models import Article, Section, Tag
    from entities.models import Entity, Mention

    rng = random.Random(seed)
    editors = []
    for username in EDITORS:
        if not User.objects.filter(username=username).exists():
            call_command("create_staff", username, "--role", "editor", stdout=_Mute())
        password = secrets.token_urlsafe(16)
        user = User.objects.get(username=username)
        user.set_password(password)
        user.save(update_fields=["password"])
        editors.append((username, password))

    live = Article.objects.live()
    ids = list(live.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(SAMPLE_ARTICLES, len(ids)))
    articles = list(live.filter(pk__in=chosen).select_related("section"))
    # Articles with no publication problem of their own: long live, not expiring.
    edited = [a.pk for a in articles if a.expires_at is None][:EDITED_ARTICLES]
    tags = list(
        Tag.objects.filter(tagged_articles__content_object__in=live)
        .distinct()
        .values_list("slug", flat=True)
    )
    entities = list(
        Entity.objects.filter(
            mentions__in=Mention.objects.confirmed().filter(article__in=live)
        )
        .distinct()
        .values_list("slug", flat=True)[:5000]
    )
    sections = list(Section.objects.values_list("slug", flat=True))
    words = sorted(
        {
            word.lower()
            for article in articles
            for word in article.headline.split()
            if word.isalpha() and len(word) > 4
        }
    )
    tags = rng.sample(tags, min(SAMPLE_SUBJECTS, len(tags)))
    entities = rng.sample(entities, min(SAMPLE_SUBJECTS, len(entities)))
    plan = {
        "editors": editors,
        "edited_articles": edited,
        "articles": [article.get_absolute_url() for article in articles],
        "api_slugs": [article.slug for article in articles],
        "tags": tags,
        "entities": entities,
        "sections": sections,
        "search_words": rng.sample(words, min(SEARCH_WORDS, len(words))),
        "api_key": _api_key(),
    }
    path.write_text(json.dumps(plan), encoding="utf-8")


def _api_key() -> str:
    from partners.models import Partner, PartnerKey

    # The load is one partner at many requests a second: the site's default
    # throttle would (rightly) refuse it.
    partner, _ = Partner.objects.update_or_create(
        name="Load test", defaults={"throttle_rate": "1000000/hour"}
    )
    _, key = PartnerKey.objects.create_key(partner=partner, name="load run")
    return key


def verify(path: Path) -> dict:
    """Check each acknowledged save against the article and its revisions."""
    from reversion.models import Version

    from articles.models import Article

    saves = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    bodies = dict(
        Article.objects.filter(pk__in={save["article"] for save in saves}).values_list(
            "pk", "body"
        )
    )
    lost = []
    for save in saves:
        marker = save["marker"]
        in_article = marker in bodies.get(save["article"], "")
        in_revisions = (
            Version.objects.get_for_model(Article)
            .filter(object_id=str(save["article"]), serialized_data__contains=marker)
            .exists()
        )
        if not (in_article and in_revisions):
            lost.append(
                {**save, "in_article": in_article, "in_revisions": in_revisions}
            )
    return {"acknowledged": len(saves), "lost": lost}


class _Mute:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in {"plan", "verify"}:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    path = Path(sys.argv[2])
    if sys.argv[1] == "plan":
        plan(path)
    else:
        print(json.dumps(verify(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
