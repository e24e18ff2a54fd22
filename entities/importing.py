"""Load a gazetteer of entities from TOML (the format of ``seeds/entities.toml``)::

[[entity]]
name = "Volkswagen Group"
kind = "company"
aliases = ["Volkswagen", "VW", { name = "Volkswagen AG", case = "exact" }]
description = "German carmaker."
wikidata = "Q156578"
case = "auto"          # optional: auto, name, exact or any (see entities.CaseRule)
policy = "confirm"     # optional: confirm or suggest new mentions

An entity merged into another in the admin keeps its slug as a redirect; an
entry with that slug is skipped (and reported), so importing the file again does
not bring the duplicate back.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from articles.importing import describe_validation_error
from entities.models import (
    CaseRule,
    Entity,
    EntityAlias,
    EntitySlugRedirect,
    MentionPolicy,
)

TEXT_KEYS = {"name", "kind", "description", "wikidata", "slug", "case", "policy"}
KNOWN_KEYS = {*TEXT_KEYS, "aliases"}
ALIAS_KEYS = {"name", "case"}
ENTITY_HEADER = re.compile(r"\s*\[\[\s*entity\s*\]\]")


class GazetteerError(Exception):
    """The gazetteer file is malformed; the message names the file and the place."""


@dataclass
class GazetteerResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    merged: list[str] = field(default_factory=list)  # "Old name → survivor"


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
        wanted = _aliases(entry.get("aliases", []), name=name, where=where)
        slug = entry.get("slug") or slugify(name)
        if slug in seen:
            raise GazetteerError(
                f"{where} “{name}”: the same entity as line {seen[slug]} (slug {slug})"
            )
        seen[slug] = line
        entity = Entity.objects.filter(slug=slug).first()
        if entity is None:
            merged = EntitySlugRedirect.objects.filter(old_slug=slug).first()
            if merged is not None:
                result.merged.append(f"{name} → {merged.entity.name}")
                continue
            entity = Entity(slug=slug)
        fields = ["name", "kind", "description", "wikidata_id", "match_case"]
        fields.append("mention_policy")
        before = [getattr(entity, field) for field in fields]
        entity.name = name
        entity.kind = entry.get("kind", "")
        entity.description = entry.get("description", "").strip()
        entity.wikidata_id = entry.get("wikidata", "")
        entity.match_case = entry.get("case", CaseRule.AUTO)
        entity.mention_policy = entry.get("policy", MentionPolicy.CONFIRM)
        try:
            entity.full_clean()
        except ValidationError as error:
            problems = describe_validation_error(error)
            raise GazetteerError(f"{where} “{name}”: {problems}") from None
        is_new = entity.pk is None
        changed = before != [getattr(entity, field) for field in fields]
        if is_new or changed:
            entity.save()
        current = (
            dict(entity.aliases.values_list("name", "match_case")) if not is_new else {}
        )
        if wanted != current:
            entity.aliases.all().delete()
            aliases = [
                EntityAlias(entity=entity, name=alias, match_case=case)
                for alias, case in sorted(wanted.items())
            ]
            for alias in aliases:
                try:
                    alias.full_clean(exclude=["entity"])
                except ValidationError as error:
                    problems = describe_validation_error(error)
                    raise GazetteerError(
                        f"{where} “{name}”: alias “{alias.name}”: {problems}"
                    ) from None
            EntityAlias.objects.bulk_create(aliases)
            changed = True
        if is_new:
            result.created.append(entity.name)
        elif changed:
            result.updated.append(entity.name)
        else:
            result.unchanged += 1
    return result


def _aliases(aliases: object, *, name: str, where: str) -> dict[str, str]:
    """Read an entry's aliases: strings, or tables with a name and a case rule."""
    problem = (
        f"{where} “{name}”: “aliases” must be a list of strings or of tables "
        'such as { name = "VW", case = "exact" }'
    )
    if not isinstance(aliases, list):
        raise GazetteerError(problem)
    wanted: dict[str, str] = {}
    for alias in aliases:
        if isinstance(alias, str):
            alias = {"name": alias}
        if (
            not isinstance(alias, dict)
            or set(alias) - ALIAS_KEYS
            or not all(isinstance(value, str) for value in alias.values())
        ):
            raise GazetteerError(problem)
        alias_name = alias.get("name", "").strip()
        if alias_name and alias_name != name:
            wanted[alias_name] = alias.get("case", CaseRule.AUTO)
    return wanted
