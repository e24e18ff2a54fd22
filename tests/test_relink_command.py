"""relink_entities: re-link in bulk, from a date, with a progress bar."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article
from entities import mentions
from entities.models import Mention
from tests import factories

pytestmark = pytest.mark.django_db


def relink(*args: str) -> str:
    stdout = StringIO()
    call_command("relink_entities", *args, stdout=stdout)
    return stdout.getvalue()


def test_relink_entities_links_every_article_with_a_progress_bar(monkeypatch):
    monkeypatch.setattr(mentions, "CHUNK_SIZE", 2)
    renault = factories.entity(name="Renault", slug="renault")
    stories = [factories.article(body=f"Renault story {n}.") for n in range(5)]
    factories.article(body="No entity here.")

    output = relink()

    assert Mention.objects.filter(entity=renault).count() == len(stories)
    assert "[####################----------] 4/6 articles" in output
    assert "[##############################] 6/6 articles" in output
    assert output.endswith("5 articles changed.\n")
    assert relink().endswith("0 articles changed.\n")


def test_relink_entities_since_a_date_takes_only_articles_saved_since():
    factories.entity(name="Renault", slug="renault")
    old = factories.article(body="Renault, last year.")
    new = factories.article(body="Renault, this week.")
    Article.objects.filter(pk=old.pk).update(
        revised_at=timezone.now() - datetime.timedelta(days=400)
    )
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()

    output = relink("--since", since)

    assert list(Mention.objects.values_list("article_id", flat=True)) == [new.pk]
    assert "1/1 articles" in output


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-02-30T10:00"])
def test_a_bad_since_date_is_a_clear_error(value):
    with pytest.raises(CommandError, match=f"--since: “{value}” is not a date"):
        relink("--since", value)


def test_since_accepts_a_date_and_time_with_an_offset():
    factories.article()

    assert "1/1 articles" in relink("--since", "2001-01-01T08:00+02:00")
    assert "/1 articles" not in relink("--since", "2999-01-01T08:00+02:00")
