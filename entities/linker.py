"""Find known entities in text with one Aho-Corasick automaton.

Every entity name and alias goes into one automaton; a match counts when it
stands as a whole word (a possessive such as "China's" still counts), its case
agrees with the name's ``CaseRule``, and no longer name overlaps it
("Volkswagen Group" is one mention, not "Volkswagen" and a stray "Group"). Web
addresses are never searched.

The automaton reads a "skeleton" of the text: lower case, with every character
that is not part of a word turned into a space, and a space in front. Its keys
are the names' skeletons with a space in front too, so they can only match
where a word starts; that keeps the matches to check in Python few.

Building the automaton for tens of thousands of names takes a second or two, so
each process builds it once and keeps it until the entities change, in this
process or any other: ``current_linker()`` compares a version stamp read from the
database with the one the automaton was built from.
"""

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

import ahocorasick
from django.db.models import Count, Max
from django.urls import reverse

from entities.models import CaseRule, Entity, EntityAlias, MentionPolicy

APOSTROPHES = "'’"
# Spaces are left alone: replacing them with themselves is most of the work.
NOT_WORD = re.compile(r"[^\w ]")
_ASCII_SKELETON = str.maketrans(
    {chr(code): " " for code in range(128) if NOT_WORD.match(chr(code))}
)
# Addresses and e-mail: "renault.com/news" names no entity, whatever its case.
WEB_ADDRESS = re.compile(
    r"(?:https?://|ftp://|mailto:|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}\b(?:/\S*)?"
)
# Most texts hold no address; this much cheaper search says which might.
WEB_ADDRESS_HINT = re.compile(r"://|www\.|mailto:|@|\w\.[a-z]")


class Name(NamedTuple):
    """One spelling of an entity: its name or an alias."""

    text: str
    entity_id: int
    match_case: str = CaseRule.AUTO


class EntityInfo(NamedTuple):
    slug: str
    mention_policy: str


class Match(NamedTuple):
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


def skeleton(text: str) -> str:
    """A space, then ``text`` in lower case with each non-word character a space."""
    return " " + NOT_WORD.sub(" ", fold_case(text))


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


class Linker:
    """Every known name, compiled into one automaton."""

    def __init__(
        self,
        names: Iterable[Name | tuple[str, int, str]],
        entities: dict[int, EntityInfo] | None = None,
        *,
        stamp: tuple = (),
    ) -> None:
        self.entities = entities or {}
        self.stamp = stamp
        self._urls: dict[int, str] = {}
        # Several entities may share a spelling ("US"); names come before aliases,
        # so a name wins a spelling both have.
        spellings: dict[str, list[tuple[int, str, str, str]]] = {}
        for text, entity_id, match_case in names:
            text = text.strip()
            if not text:
                continue
            if text.isascii():  # most names: the fast way to the same key
                rule = CaseRule.resolve(match_case, text)
                lowered = text.lower()
                key = " " + lowered.translate(_ASCII_SKELETON)
                spellings.setdefault(key, []).append((entity_id, rule, text, lowered))
                continue
            text = unicodedata.normalize("NFC", text)
            rule = CaseRule.resolve(match_case, text)
            # Text typed with combining accents ("a" + "¨") finds the name too.
            for variant in {text, unicodedata.normalize("NFD", text)}:
                entry = (entity_id, rule, variant, fold_case(variant))
                spellings.setdefault(skeleton(variant), []).append(entry)
        self._automaton = ahocorasick.Automaton()
        for key, entries in spellings.items():
            # The key's leading space stands for the character before the name.
            self._automaton.add_word(key, (len(key) - 1, entries))
        self.size = len(spellings)
        if self.size:
            self._automaton.make_automaton()

    @classmethod
    def from_database(cls) -> "Linker":
        """Build the linker from every entity and alias in the database."""
        stamp = version_stamp()
        entities: dict[int, EntityInfo] = {}
        names: list[tuple[str, int, str]] = []
        for pk, name, slug, match_case, policy in Entity.objects.values_list(
            "pk", "name", "slug", "match_case", "mention_policy"
        ).order_by("pk"):
            entities[pk] = EntityInfo(slug, policy)
            names.append((name, pk, match_case))
        aliases = EntityAlias.objects.values_list(
            "name", "entity_id", "match_case"
        ).order_by("pk")
        names.extend(aliases)
        return cls(names, entities, stamp=stamp)

    def find(self, text: str) -> list[Match]:
        """Return the mentions in ``text``, in order, none overlapping another."""
        if not self.size or not text:
            return []
        letters = skeleton(text)
        if WEB_ADDRESS_HINT.search(text):
            for address in WEB_ADDRESS.finditer(text):
                start, end = address.span()
                blank = " " * (end - start)
                letters = f"{letters[: start + 1]}{blank}{letters[end + 1 :]}"
        # Leftmost first and, at one place, longest first.
        candidates = sorted(self._candidates(text, letters))
        found: list[Match] = []
        taken_until = 0
        for start, negative_end, entity_id in candidates:
            if start >= taken_until:
                found.append(Match(start, -negative_end, entity_id))
                taken_until = -negative_end
        return found

    def _candidates(self, text: str, letters: str) -> Iterator[tuple[int, int, int]]:
        length = len(text)
        # letters[i + 1] is text[i]: a key ending at letters[end] ends at text[end - 1].
        for end, (name_length, spellings) in self._automaton.iter(letters):
            start = end - name_length
            if (
                start > 1
                and text[start - 1] in APOSTROPHES
                and _is_word(text[start - 2])
            ):
                continue  # "O'Brien" does not mention "Brien"
            if end < length and not _word_ends(text, end):
                continue
            found = text[start:end]
            for entity_id, rule, spelling, folded in spellings:
                if rule == CaseRule.EXACT:
                    agrees = found == spelling
                else:
                    agrees = fold_case(found) == folded and (
                        rule == CaseRule.ANY or found[0] == spelling[0]
                    )
                if agrees:
                    yield start, -end, entity_id
                    break

    def url(self, entity_id: int) -> str:
        """Return the address of an entity's page (reversed once per entity)."""
        url = self._urls.get(entity_id)
        if url is None:
            slug = self.entities[entity_id].slug
            url = self._urls[entity_id] = reverse(
                "entities:detail", kwargs={"slug": slug}
            )
        return url

    def policy(self, entity_id: int) -> str:
        info = self.entities.get(entity_id)
        return info.mention_policy if info else MentionPolicy.CONFIRM


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
