"""Load a gazetteer of entities from TOML (the format of ``seeds/entities.toml``)::

[[entity]]
name = "Volkswagen Group"
kind = "company"
aliases = ["Volkswagen", "VW"]
description = "German carmaker."
wikidata = "Q156578"
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from entities.models import Entity, EntityAlias

KNOWN_KEYS = {"name", "kind", "aliases", "description", "wikidata", "slug"}
ENTITY_HEADER = re.compile(r"\s*\[\[\s*entity\s*\]\]")


class GazetteerError(Exception):
    """The gazetteer file is malformed; the message names the file and the place."""


@dataclass
class GazetteerResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def read_gazetteer(path: Path) -> list[tuple[int, dict]]:
    """Return each [[entity]] table with the line its header stands on."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise GazetteerError(f"{path}: cannot read the file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise GazetteerError(f"{path}: {error}") from None
    entries = data.get("entity")
    if not isinstance(entries, list) or set(data) != {"entity"}:
        found = ", ".join(data) or "nothing"
        raise GazetteerError(f"{path}: expected only [[entity]] tables, found {found}")
    header_lines = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if ENTITY_HEADER.match(line)
    ]
    return list(zip(header_lines, entries, strict=True))


@transaction.atomic
def import_gazetteer(path: Path) -> GazetteerResult:
    """Create or update every entity in the file, all or nothing."""
    result = GazetteerResult()
    for line, entry in read_gazetteer(path):
        where = f"{path}, line {line}: entity"
        if unknown := set(entry) - KNOWN_KEYS:
            raise GazetteerError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise GazetteerError(f"{where}: “name” is missing")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) for a in aliases
        ):
            raise GazetteerError(
                f"{where} “{name}”: “aliases” must be a list of strings"
            )
        slug = entry.get("slug") or slugify(name)
        entity = Entity.objects.filter(slug=slug).first() or Entity(slug=slug)
        before = (entity.name, entity.kind, entity.description, entity.wikidata_id)
        entity.name = name.strip()
        entity.kind = entry.get("kind", "")
        entity.description = entry.get("description", "").strip()
        entity.wikidata_id = entry.get("wikidata", "")
        try:
            entity.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"{key}: {' '.join(messages)}"
                for key, messages in error.message_dict.items()
            )
            raise GazetteerError(f"{where} “{name}”: {problems}") from None
        is_new = entity.pk is None
        changed = before != (
            entity.name,
            entity.kind,
            entity.description,
            entity.wikidata_id,
        )
        if is_new or changed:
            entity.save()
        wanted = {
            alias.strip()
            for alias in aliases
            if alias.strip() and alias.strip() != name
        }
        current = (
            set(entity.aliases.values_list("name", flat=True)) if not is_new else set()
        )
        if wanted != current:
            entity.aliases.exclude(name__in=wanted).delete()
            EntityAlias.objects.bulk_create(
                EntityAlias(entity=entity, name=alias)
                for alias in sorted(wanted - current)
            )
            changed = True
        if is_new:
            result.created.append(entity.name)
        elif changed:
            result.updated.append(entity.name)
        else:
            result.unchanged += 1
    return result
