"""Find known entities in text with one Aho-Corasick automaton.

Every entity name and alias goes into one automaton, keyed by its lower-case
form; a match counts when it stands as a whole word (a possessive such as
"China's" still counts), its case agrees with the name's ``CaseRule``, and no
longer name overlaps it ("Volkswagen Group" is one mention, not "Volkswagen"
and a stray "Group"). Web addresses are never searched.

Building the automaton for tens of thousands of names takes a second or two, so
each process builds it once and keeps it until the entities change, in this
process or any other: ``current_linker()`` compares a version stamp read from the
database with the one the automaton was built from.
"""

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import ahocorasick
from django.db.models import Count, Max

from entities.models import CaseRule, Entity, EntityAlias, MentionPolicy

APOSTROPHES = "'’"
# Addresses and e-mail: "renault.com/news" names no entity, whatever its case.
WEB_ADDRESS = re.compile(
    r"(?:https?://|ftp://|mailto:|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}\b(?:/\S*)?"
)


@dataclass(frozen=True)
class Name:
    """One spelling of an entity: its name or an alias."""

    text: str
    entity_id: int
    match_case: str = CaseRule.AUTO


@dataclass(frozen=True)
class EntityInfo:
    slug: str
    mention_policy: str


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entity_id: int


def fold_case(text: str) -> str:
    """Lower-case ``text`` without changing its length, so positions still agree."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower to two ("İ"); they are left as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


class Linker:
    """Every known name, compiled into one automaton."""

    def __init__(
        self,
        names: Iterable[Name],
        entities: dict[int, EntityInfo] | None = None,
        *,
        stamp: tuple = (),
    ) -> None:
        self.entities = entities or {}
        self.stamp = stamp
        self._automaton = ahocorasick.Automaton()
        for name in names:
            text = unicodedata.normalize("NFC", name.text.strip())
            if not text:
                continue
            rule = CaseRule.resolve(name.match_case, text)
            # Text typed with combining accents ("a" + "¨") finds the name too.
            for spelling in {text, unicodedata.normalize("NFD", text)}:
                self._add(spelling, name.entity_id, rule)
        self.size = len(self._automaton)
        if self.size:
            self._automaton.make_automaton()

    def _add(self, spelling: str, entity_id: int, rule: CaseRule) -> None:
        key = fold_case(spelling)
        # Names come before aliases, so a name wins a spelling both share.
        entry = self._automaton.get(key, None)
        if entry is None:
            self._automaton.add_word(key, (len(key), [(entity_id, rule, spelling)]))
        else:
            entry[1].append((entity_id, rule, spelling))

    @classmethod
    def from_database(cls) -> "Linker":
        """Build the linker from every entity and alias in the database."""
        stamp = version_stamp()
        entities: dict[int, EntityInfo] = {}
        names: list[Name] = []
        for pk, name, slug, match_case, policy in Entity.objects.values_list(
            "pk", "name", "slug", "match_case", "mention_policy"
        ).order_by("pk"):
            entities[pk] = EntityInfo(slug=slug, mention_policy=policy)
            names.append(Name(name, pk, match_case))
        aliases = EntityAlias.objects.values_list(
            "entity_id", "name", "match_case"
        ).order_by("pk")
        names.extend(Name(name, pk, match_case) for pk, name, match_case in aliases)
        return cls(names, entities, stamp=stamp)

    def find(self, text: str) -> list[Match]:
        """Return the mentions in ``text``, in order, none overlapping another."""
        if not self.size or not text:
            return []
        folded = fold_case(text)
        for address in WEB_ADDRESS.finditer(text):
            start, end = address.span()
            folded = folded[:start] + " " * (end - start) + folded[end:]
        candidates = sorted(self._candidates(text, folded), key=_leftmost_longest)
        found: list[Match] = []
        taken_until = 0
        for match in candidates:
            if match.start >= taken_until:
                found.append(match)
                taken_until = match.end
        return found

    def _candidates(self, text: str, folded: str) -> Iterator[Match]:
        length = len(text)
        for last, (key_length, spellings) in self._automaton.iter(folded):
            start, end = last - key_length + 1, last + 1
            if start > 0 and not _word_starts(text, start):
                continue
            if end < length and not _word_ends(text, end):
                continue
            for entity_id, rule, spelling in spellings:
                if _case_agrees(text[start:end], spelling, rule):
                    yield Match(start, end, entity_id)
                    break

    def policy(self, entity_id: int) -> str:
        info = self.entities.get(entity_id)
        return info.mention_policy if info else MentionPolicy.CONFIRM


def _leftmost_longest(match: Match) -> tuple[int, int]:
    return match.start, -match.end


def _word_starts(text: str, start: int) -> bool:
    before = text[start - 1]
    if _is_word(before):
        return False
    # "O'Brien" does not mention "Brien"; an opening quote before a name is fine.
    return not (before in APOSTROPHES and start > 1 and _is_word(text[start - 2]))


def _word_ends(text: str, end: int) -> bool:
    after = text[end]
    if _is_word(after):
        return False
    if after in APOSTROPHES and end + 1 < len(text) and _is_word(text[end + 1]):
        # A possessive ("China's") ends the name; "Ford'ham" does not.
        return text[end + 1] in "sS" and (
            end + 2 == len(text) or not _is_word(text[end + 2])
        )
    return True


def _case_agrees(found: str, spelling: str, rule: CaseRule) -> bool:
    if rule == CaseRule.EXACT:
        return found == spelling
    if rule == CaseRule.NAME:
        return found[0] == spelling[0]
    return True


# --- One linker per process ------------------------------------------------------


def version_stamp() -> tuple[int, datetime | None, int, datetime | None]:
    """Read what changes whenever an entity or alias is added, changed or deleted."""
    entities = Entity.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    aliases = EntityAlias.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return entities["count"], entities["latest"], aliases["count"], aliases["latest"]


_lock = threading.Lock()
_current: Linker | None = None


def current_linker() -> Linker:
    """Return this process's linker, rebuilt first if the entities have changed."""
    global _current
    stamp = version_stamp()
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = Linker.from_database()
        return _current
