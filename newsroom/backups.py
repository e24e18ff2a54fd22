"""Export everything editors made to one JSON file, and load it into a fresh database.

What is exported: every model of the content apps (articles, entities, and
partners with their keys' metadata), the revisions of articles, and the staff
accounts and groups that own them. What is not: passwords and partner keys,
not even hashed (accounts come back with unusable passwords and keys come
back revoked: people reset the one and partners are issued new ones),
sessions, login attempts, and derived tables that are rebuilt from the
content after loading.

Each article's checksum (its text, state, times, tags, authors, pins, entity
decisions, corrections and revisions), each entity's (with its aliases) and
each partner's (with its keys' metadata) is stored in the file and checked
after loading; any difference rolls the whole import back.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

FORMAT = "newsroom-content"
VERSION = 1

CONTENT_APPS = ("articles", "entities", "partners")
SUPPORTING_MODELS = (
    "auth.group",
    "auth.user",
    "reversion.revision",
    "reversion.version",
)
# Rebuilt from the content, so never exported: label -> the command that does it.
DERIVED_MODELS: dict[str, str | None] = {}


def _without_password(record: dict) -> None:
    # A password starting with "!" is Django's mark of an unusable one.
    record["fields"]["password"] = "!restored-from-backup"


def _without_key_hash(record: dict) -> None:
    # The primary key is "prefix.hash": both it and the hash field go. The
    # prefix alone still names the key for a partner's records; restored,
    # the key is revoked and verifies against nothing.
    prefix = record["fields"]["prefix"]
    record["pk"] = f"{prefix}.restored-revoked"
    record["fields"]["hashed_key"] = "!restored-from-backup"
    record["fields"]["revoked"] = True


# What must never leave the database, per model: each replaces it in a record.
SECRET_SCRUBBERS = {
    "auth.user": _without_password,
    "partners.partnerkey": _without_key_hash,
}


class BackupError(Exception):
    """The file cannot be restored here; nothing was written."""


def register_derived(label: str, rebuild_command: str | None) -> None:
    """Leave a model out of backups; ``rebuild_command`` refills it after a restore."""
    DERIVED_MODELS[label.lower()] = rebuild_command


def backed_up_models() -> list[type[models.Model]]:
    """The models a backup holds, parents before the rows that refer to them."""
    chosen = [apps.get_model(label) for label in SUPPORTING_MODELS]
    for label in CONTENT_APPS:
        if apps.is_installed(label):
            chosen += [
                model
                for model in apps.get_app_config(label).get_models()
                if model._meta.label_lower not in DERIVED_MODELS
            ]
    ordered = serializers.sort_dependencies([(None, chosen)], allow_cycles=True)
    # Revisions refer to users, versions to revisions: keep those after users.
    return [model for model in ordered if model in chosen]


def _canonical(value) -> str:
    if isinstance(value, datetime.datetime):
        # Milliseconds: what Django's JSON serializer keeps of a time.
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return "" if value is None else str(value)


def article_checksums() -> dict[str, str]:
    """A checksum per article of everything an editor can change about it."""
    from reversion.models import Version

    from articles.models import Article

    Mention = apps.get_model("entities", "Mention")
    checksums = {}
    articles = Article.objects.select_related("section").prefetch_related(
        "bylines__author",
        "tagged_items__tag",
        "read_next_pins__target",
        "corrections",
        "transitions",
    )
    mentions: dict[int, list[str]] = {}
    for article_id, entity_slug, status in Mention.objects.values_list(
        "article_id", "entity__slug", "status"
    ):
        mentions.setdefault(article_id, []).append(f"{entity_slug}:{status}")
    revisions: dict[str, list[str]] = {}
    for object_id, comment, serialized in Version.objects.get_for_model(
        Article
    ).values_list("object_id", "revision__comment", "serialized_data"):
        revisions.setdefault(object_id, []).append(comment + serialized)
    for article in articles:
        parts = [
            article.headline,
            article.slug,
            article.dek,
            article.body,
            article.status,
            article.section.slug,
            _canonical(article.published_at),
            _canonical(article.expires_at),
            _canonical(article.updated_at),
            article.hero_image.name,
            article.hero_image_alt,
            article.hero_image_caption,
            article.hero_image_credit,
            "|".join(b.author.slug for b in article.bylines.all()),
            "|".join(sorted(item.tag.slug for item in article.tagged_items.all())),
            "|".join(pin.target.slug for pin in article.read_next_pins.all()),
            "|".join(sorted(mentions.get(article.pk, []))),
            "|".join(
                f"{note.kind}:{_canonical(note.created_at)}:{note.note}"
                for note in article.corrections.all()
            ),
            "|".join(
                f"{step.from_status}>{step.to_status}:{step.note}"
                for step in sorted(article.transitions.all(), key=lambda s: s.pk)
            ),
            "|".join(sorted(revisions.get(str(article.pk), []))),
        ]
        checksums[article.slug] = _digest(parts)
    return checksums


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def entity_checksums() -> dict[str, str]:
    """A checksum per entity of what editors set on it, its aliases included."""
    Entity = apps.get_model("entities", "Entity")
    checksums = {}
    for entity in Entity.objects.prefetch_related("aliases"):
        parts = [
            entity.name,
            entity.kind,
            entity.description,
            entity.wikidata_id,
            entity.match_case,
            entity.mention_policy,
            *sorted(
                f"{alias.name}:{alias.match_case}" for alias in entity.aliases.all()
            ),
        ]
        checksums[entity.slug] = _digest(parts)
    return checksums


def partner_checksums() -> dict[str, str]:
    """A checksum per partner of its settings and its keys' metadata.

    Whether a key is revoked is left out: every restored key is.
    """
    if not apps.is_installed("partners"):
        return {}
    Partner = apps.get_model("partners", "Partner")
    checksums = {}
    for partner in Partner.objects.prefetch_related("keys"):
        parts = [
            partner.contact_email,
            str(partner.is_active),
            partner.throttle_rate,
            partner.cors_origins,
            partner.notes,
            _canonical(partner.created_at),
            *sorted(
                f"{key.prefix}:{key.name}:{_canonical(key.created)}:"
                f"{_canonical(key.expiry_date)}"
                for key in partner.keys.all()
            ),
        ]
        checksums[partner.name] = _digest(parts)
    return checksums


# What each checksum covers, as named in the file and in an error.
CHECKSUMS = {
    "checksums": ("article", article_checksums),
    "entity_checksums": ("entity", entity_checksums),
    "partner_checksums": ("partner", partner_checksums),
}


def _strip_secrets(records: list[dict]) -> list[dict]:
    renamed: dict[str, str] = {}
    for record in records:
        if scrub := SECRET_SCRUBBERS.get(record["model"]):
            old_pk = record["pk"]
            scrub(record)
            if record["pk"] != old_pk:
                renamed[str(old_pk)] = record["pk"]
    if renamed:
        # A row that refers to a renamed key (a log of its use, say) would
        # carry the old primary key, and with it the secret.
        for record in records:
            record["fields"] = {
                name: _renamed(value, renamed)
                for name, value in record["fields"].items()
            }
    return records


def _renamed(value, renamed: dict[str, str]):
    if isinstance(value, list):
        return [_renamed(item, renamed) for item in value]
    return renamed.get(value, value) if isinstance(value, str) else value


def export_content(path: Path) -> dict:
    """Write the backup file; return a summary (counts per model)."""
    records = []
    counts = {}
    for model in backed_up_models():
        rows = model._base_manager.order_by("pk")
        counts[model._meta.label_lower] = rows.count()
        records += json.loads(
            serializers.serialize("json", rows, use_natural_foreign_keys=True)
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "counts": counts,
        **{name: compute() for name, (_, compute) in CHECKSUMS.items()},
        "objects": _strip_secrets(records),
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return counts


def _read(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BackupError(f"{path}: cannot read the file ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path}: not a Newsroom backup ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path}: not a Newsroom backup (no “{FORMAT}” header)")
    if document.get("version") != VERSION:
        raise BackupError(
            f"{path}: backup format version {document.get('version')!r}; "
            f"this Newsroom reads version {VERSION}"
        )
    return document


def _verify(expected: dict[str, str], restored: dict[str, str], noun: str) -> None:
    differing = sorted(
        key
        for key in set(expected) | set(restored)
        if expected.get(key) != restored.get(key)
    )
    if differing:
        raise BackupError(
            f"{len(differing)} {noun}(s) differ from the backup after loading, "
            f"e.g. “{differing[0]}”; nothing was restored"
        )


def _refuse_non_empty_database() -> None:
    from articles.models import Article

    User = apps.get_model("auth", "User")
    if Article.objects.exists() or User.objects.exists():
        raise BackupError(
            "the database already has articles or accounts; restore into a "
            "fresh database (migrate an empty one first)"
        )


def _clear(models_in_order: Iterable[type[models.Model]]) -> None:
    # A fresh database holds what the migrations seed (standard tags, the two
    # roles); the backup's own rows replace them.
    for model in reversed(list(models_in_order)):
        model._base_manager.all().delete()


@transaction.atomic
def import_content(path: Path) -> dict:
    """Load a backup into a fresh database; verify it; return counts per model."""
    document = _read(path)
    _refuse_non_empty_database()
    ordered = backed_up_models()
    _clear(ordered)
    counts: dict[str, int] = {}
    try:
        objects = serializers.deserialize(
            "json",
            json.dumps(document["objects"]),
            handle_forward_references=True,
        )
        pending = []
        for deserialized in objects:
            deserialized.save()
            if deserialized.deferred_fields:
                pending.append(deserialized)
            label = deserialized.object._meta.label_lower
            counts[label] = counts.get(label, 0) + 1
        for deserialized in pending:
            deserialized.save_deferred_fields()
    except serializers.base.DeserializationError as error:
        raise BackupError(f"{path}: {error}") from None
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), ordered):
            cursor.execute(statement)
    for name, (noun, compute) in CHECKSUMS.items():
        if name not in document:
            continue  # a backup from before this checksum existed
        _verify(document[name], compute(), noun)
    for command in {command for command in DERIVED_MODELS.values() if command}:
        call_command(command, verbosity=0)
    return counts
