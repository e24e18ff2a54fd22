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

from articles.importing import describe_validation_error
from entities.models import Entity, EntityAlias

TEXT_KEYS = {"name", "kind", "description", "wikidata", "slug"}
KNOWN_KEYS = {*TEXT_KEYS, "aliases"}
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
    seen: dict[str, int] = {}
    for line, entry in read_gazetteer(path):
        where = f"{path}, line {line}: entity"
        if unknown := set(entry) - KNOWN_KEYS:
            raise GazetteerError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        if not_text := sorted(
            key for key in TEXT_KEYS & set(entry) if not isinstance(entry[key], str)
        ):
            raise GazetteerError(f"{where}: {', '.join(not_text)} must be text")
        name = entry.get("name", "").strip()
        if not name:
            raise GazetteerError(f"{where}: “name” is missing")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) for a in aliases
        ):
            raise GazetteerError(
                f"{where} “{name}”: “aliases” must be a list of strings"
            )
        slug = entry.get("slug") or slugify(name)
        if slug in seen:
            raise GazetteerError(
                f"{where} “{name}”: the same entity as line {seen[slug]} (slug {slug})"
            )
        seen[slug] = line
        entity = Entity.objects.filter(slug=slug).first() or Entity(slug=slug)
        before = (entity.name, entity.kind, entity.description, entity.wikidata_id)
        entity.name = name
        entity.kind = entry.get("kind", "")
        entity.description = entry.get("description", "").strip()
        entity.wikidata_id = entry.get("wikidata", "")
        try:
            entity.full_clean()
        except ValidationError as error:
            problems = describe_validation_error(error)
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
