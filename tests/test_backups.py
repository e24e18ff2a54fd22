"""export_content and import_content: a backup restores into a fresh database."""

import datetime
import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from articles import publishing, revisions
from articles.models import Article, Tag
from entities.models import Mention
from newsroom.backups import article_checksums, entity_checksums, partner_checksums
from partners.models import Partner, PartnerKey
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
Status = Article.Status


@pytest.fixture
def newsroom_content():
    """Articles in every state with everything editors attach to them."""
    editor = User.objects.create_user("edith", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    author = factories.author(name="Mara Ellison", user=editor)
    renault = factories.entity(name="Renault", wikidata_id="Q6686")
    factories.alias(renault, "Groupe Renault")
    geely = factories.entity(name="Geely")
    trade = Tag.objects.get(name="International Trade")
    now = timezone.now()
    states = {
        "draft": {"status": Status.DRAFT},
        "review": {"status": Status.REVIEW},
        "live": {},
        "scheduled": {"published_at": now + datetime.timedelta(days=2)},
        "expiring": {"expires_at": now + datetime.timedelta(days=1)},
        "withdrawn": {"status": Status.WITHDRAWN, "published_at": now},
    }
    articles = {}
    for name, fields in states.items():
        article = factories.article(headline=f"A {name} story", **fields)
        article.tags.add(trade)
        factories.byline(article, author)
        factories.mention(article, renault)
        factories.mention(article, geely, status=Mention.Status.REJECTED)
        revisions.save_revision(article, user=editor, comment=f"Wrote the {name}.")
        articles[name] = article
    factories.pin(articles["live"], articles["expiring"])
    factories.correction(articles["live"], note="The plant is in Cleon.")
    publishing.transition(articles["review"], "publish", user=editor, note="Go.")
    partner = Partner.objects.create(
        name="Aggregator Ltd",
        contact_email="dev@aggregator.example",
        throttle_rate="500/hour",
        cors_origins="https://app.aggregator.example",
        notes="Signed 2026-01.",
    )
    PartnerKey.objects.create_key(
        partner=partner,
        name="production",
        expiry_date=now + datetime.timedelta(days=365),
    )
    PartnerKey.objects.create_key(partner=partner, name="staging")
    return articles


def run_fresh(database_url: str, *command: str) -> subprocess.CompletedProcess:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def fresh_database(tmp_path: Path):
    """A new, migrated database of the same kind the suite runs on."""
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        name = f"newsroom_restore_{uuid.uuid4().hex[:8]}"
        server = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"{server}/{name}"
            assert run_fresh(url, "migrate", "-v0").returncode == 0
            yield url
        finally:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    else:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        assert run_fresh(url, "migrate", "-v0").returncode == 0
        yield url


CHECKSUMS = (
    "import json; from newsroom import backups; "
    "print(json.dumps([backups.article_checksums(), backups.entity_checksums(), "
    "backups.partner_checksums()]))"
)


def test_a_backup_restores_every_article_exactly_into_a_fresh_database(
    newsroom_content, tmp_path
):
    backup = tmp_path / "backup.json"
    call_command("export_content", str(backup), stdout=StringIO())
    before = [article_checksums(), entity_checksums(), partner_checksums()]

    with fresh_database(tmp_path) as url:
        restored = run_fresh(url, "import_content", str(backup))
        after = run_fresh(url, "shell", "--no-imports", "-c", CHECKSUMS)

    assert restored.returncode == 0, restored.stderr
    assert "6 articles, each checked against the backup" in restored.stdout
    assert json.loads(after.stdout) == before
    articles, entities, partners = before
    assert len(articles) == len(Article.objects.all()) == 6
    assert len(entities) == 2
    assert set(partners) == {"Aggregator Ltd"}


def test_partner_keys_come_back_revoked_and_their_hashes_never_leave(
    newsroom_content, tmp_path
):
    backup = tmp_path / "backup.json"
    call_command("export_content", str(backup), stdout=StringIO())
    text = backup.read_text()
    keys = list(PartnerKey.objects.all())

    assert len(keys) == 2
    for key in keys:
        assert key.hashed_key not in text
        assert key.prefix in text
    with fresh_database(tmp_path) as url:
        run_fresh(url, "import_content", str(backup))
        check = run_fresh(
            url,
            "shell",
            "--no-imports",
            "-c",
            "from partners.models import PartnerKey; "
            "print(sorted((k.name, k.prefix, k.revoked, k.partner.name) "
            "for k in PartnerKey.objects.all()))",
        )

    assert check.stdout.strip() == str(
        sorted((key.name, key.prefix, True, "Aggregator Ltd") for key in keys)
    )


def test_the_backup_lists_the_partner_models():
    from newsroom.backups import backed_up_models

    labels = {model._meta.label_lower for model in backed_up_models()}

    assert {"partners.partner", "partners.partnerkey"} <= labels
    assert {"entities.entity", "entities.entityalias", "entities.mention"} <= labels


def test_the_backup_holds_no_password_and_restored_accounts_cannot_log_in(
    newsroom_content, tmp_path
):
    backup = tmp_path / "backup.json"
    call_command("export_content", str(backup), stdout=StringIO())
    text = backup.read_text()

    assert User.objects.get(username="edith").password not in text
    with fresh_database(tmp_path) as url:
        run_fresh(url, "import_content", str(backup))
        check = run_fresh(
            url,
            "shell",
            "--no-imports",
            "-c",
            "from django.contrib.auth.models import User; "
            "u = User.objects.get(username='edith'); "
            "print(u.has_usable_password(), "
            "list(u.groups.values_list('name', flat=True)))",
        )

    assert check.stdout.split() == ["False", "['Editor']"]


def test_a_backup_altered_after_export_restores_nothing(newsroom_content, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("export_content", str(backup), stdout=StringIO())
    document = json.loads(backup.read_text())
    for record in document["objects"]:
        if record["model"] == "articles.article":
            record["fields"]["body"] += " Tampered."
            break
    backup.write_text(json.dumps(document))

    with fresh_database(tmp_path) as url:
        result = run_fresh(url, "import_content", str(backup))
        count = run_fresh(
            url,
            "shell",
            "--no-imports",
            "-c",
            "from articles.models import Article; print(Article.objects.count())",
        )

    assert result.returncode != 0
    assert "differ from the backup after loading" in result.stderr
    assert count.stdout.strip() == "0"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "not a Newsroom backup"),
        ('{"format": "something-else"}', "no “newsroom-content” header"),
        ('{"format": "newsroom-content", "version": 99}', "format version 99"),
    ],
)
def test_a_file_that_is_not_a_backup_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "backup.json"
    path.write_text(content)

    with pytest.raises(CommandError, match=message):
        call_command("import_content", str(path))


def test_restoring_over_existing_content_is_refused(newsroom_content, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("export_content", str(backup), stdout=StringIO())

    with pytest.raises(CommandError, match="restore into a fresh database"):
        call_command("import_content", str(backup))


def test_rows_referring_to_a_partner_key_lose_its_hash_too():
    from newsroom.backups import _strip_secrets

    records = [
        {
            "model": "partners.partnerkey",
            "pk": "AbCd1234.secret-hash",
            "fields": {"prefix": "AbCd1234", "hashed_key": "secret-hash"},
        },
        {
            "model": "partners.keyuse",
            "pk": 1,
            "fields": {"key": "AbCd1234.secret-hash", "keys": ["AbCd1234.secret-hash"]},
        },
    ]

    scrubbed = _strip_secrets(records)

    assert "secret-hash" not in json.dumps(scrubbed)
    assert scrubbed[1]["fields"]["key"] == scrubbed[0]["pk"]
