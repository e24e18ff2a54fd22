"""Suggest names in an article that could become entities, with a guessed kind.

No statistical model: capitalised words are grouped into names ("China Passenger
Car Association"), and a few cues sort out the rest.

- A capitalised word that only ever starts a sentence is not taken for a name,
  nor are function words before a name ("The", "In"), nationality adjectives
  ("Chinese", "French"), abbreviations of common nouns spelt out in the text
  ("new-energy vehicle (NEV)") and roles ("CEO").
- The kind comes from the name's own words (Co., Group: company; Council,
  Ministry: organisation; Architecture, Platform: product), then from what
  stands around it: a role ("secretary-general", "CEO", "chairman") next to a
  person, "automaker Ford", "in France".
- Names the linker already knows are left out; headings and the headline,
  written in title case, are not read.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from articles.models import Article
from articles.rendering import MarkdownDocument
from entities.linker import Linker
from entities.models import Entity, EntityAlias, Mention

Kind = Entity.Kind

# Words a name may end with that say what it names. The first group is also
# left out of the suggested name and kept as an alias ("Shanghai Edrive Co.").
LEGAL_SUFFIXES = frozenset({"Co.", "Co", "Corp.", "Inc.", "Ltd.", "Ltd", "Plc", "LLC",
                            "AG", "SA", "GmbH", "S.A."})  # fmt: skip
COMPANY_WORDS = frozenset({"Group", "Holdings", "Motors", "Motor", "Automotive", "Auto",
                           "Vehicle", "Vehicles", "Technologies", "Technology",
                           "Electronics", "Airlines", "Airways", "Bank", "Partners",
                           "Capital", "Industries", "Systems", "Energy", "Corporation",
                           "Company", "Pharmaceuticals", "Labs", "Semiconductor",
                           "Robotics", "Logistics", "Telecom"})  # fmt: skip
ORGANISATION_WORDS = frozenset({"Association", "Council", "Ministry", "Commission",
                                "Committee", "Agency", "Authority", "Federation",
                                "Union", "Parliament", "Government", "Department",
                                "Bureau", "Institute", "University", "Court",
                                "Organisation", "Organization", "Foundation", "Party",
                                "Office", "Board", "Chamber", "League", "Society",
                                "Fund", "Assembly", "Senate", "Congress",
                                "Administration"})  # fmt: skip
PLACE_NAME_WORDS = frozenset({"Kingdom", "States", "Republic", "Islands", "Island",
                              "City", "County", "Province", "Region", "Valley", "Bay",
                              "Sea", "Ocean", "River", "Mountains", "Coast", "Emirates",
                              "Peninsula", "Strait"})  # fmt: skip
PRODUCT_WORDS = frozenset({"Architecture", "Platform", "Model", "Series", "Engine",
                           "Chip", "Phone", "App"})  # fmt: skip
# Lower-case words that may stand inside a name ("Bank of China").
CONNECTORS = frozenset({"of", "for", "de", "du", "da", "van", "von", "der", "la",
                        "&"})  # fmt: skip
# Words a connector may follow inside one name.
CONNECTOR_HEADS = (ORGANISATION_WORDS | PLACE_NAME_WORDS) - {"City"} | {
    "Bank", "Gulf", "Isle", "Cape", "Lake", "Mount", "Port", "Museum", "Church",
    "School", "College", "Academy", "Center", "Centre", "Kingdom", "Republic",
}  # fmt: skip
# Capitalised at the start of a sentence, never names.
FUNCTION_WORDS = frozenset({"The", "A", "An", "In", "On", "At", "As", "By", "For",
                            "From", "To", "Of", "With", "And", "But", "Or", "If",
                            "When", "While", "Although", "Though", "Meanwhile",
                            "Additionally", "However", "Also", "This", "That",
                            "These", "Those", "Its", "Their", "His", "Her", "Our",
                            "Such", "After", "Before", "Since", "Despite", "Even",
                            "Only", "Thanks", "According", "Yesterday", "Today",
                            "Last", "Next", "Some", "Many", "Most", "All",
                            "Both", "Each", "Every", "Several", "Other",
                            "Another"})  # fmt: skip
ROLE_WORDS = frozenset({"secretary-general", "ceo", "chairman", "chairwoman", "chair",
                        "president", "chief", "executive", "minister", "spokesperson",
                        "spokesman", "spokeswoman", "director", "founder", "analyst",
                        "governor", "mayor", "ambassador", "professor", "economist",
                        "chancellor", "premier", "secretary", "head", "leader",
                        "cfo", "coo", "cto", "manager", "official",
                        "vice-president"})  # fmt: skip
# Acronyms of roles and common nouns, whatever the text says of them.
COMMON_ACRONYMS = frozenset({"CEO", "CFO", "COO", "CTO", "GDP", "IPO", "AI", "EV",
                             "NEV", "PR", "HQ", "TV", "Q1", "Q2", "Q3", "Q4",
                             "ESG", "R&D"})  # fmt: skip
MONTHS_AND_DAYS = frozenset({"January", "February", "March", "April", "May", "June",
                             "July", "August", "September", "October", "November",
                             "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
                             "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Monday",
                             "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                             "Sunday"})  # fmt: skip
# "Chinese", "European", "Western", "Danish": adjectives, not the place.
ADJECTIVE_ENDINGS = ("ese", "ish", "ian", "ean", "ern", "ican", "ic")
IRREGULAR_ADJECTIVES = frozenset({"French", "Dutch", "Greek", "Thai", "Swiss", "Welsh",
                                  "Czech"})  # fmt: skip
ABBREVIATIONS = frozenset({"Co.", "Corp.", "Inc.", "Ltd.", "Mr.", "Mrs.", "Ms.", "Dr.",
                           "St.", "Jr.", "Sr.", "Bros.", "No.", "S.A.", "U.S.",
                           "e.g.", "i.e.", "vs."})  # fmt: skip
PLACE_WORDS = frozenset({"in", "from", "to", "across", "into", "throughout", "near",
                         "at", "outside", "inside", "within"})  # fmt: skip
COMPANY_CUES = frozenset({"automaker", "carmaker", "manufacturer", "maker", "company",
                          "firm", "giant", "group", "supplier", "rival", "brand",
                          "startup", "producer", "retailer", "lender", "insurer",
                          "developer", "operator"})  # fmt: skip
APOSTROPHES = "'’"
OPENING = "([{\"'“‘"
CLOSING_BREAKS = ",;:)]}\"'”’"
PARENTHESISED_ACRONYM = re.compile(r"[a-z][\w-]*\s+\((?P<acronym>[A-Z]{2,6})s?\)")


@dataclass
class Word:
    text: str  # without surrounding punctuation or a possessive
    start: int
    sentence_start: bool = False
    break_after: bool = False  # a comma, possessive, bracket or sentence end follows
    possessive: bool = False


@dataclass
class Suggestion:
    """A name that could become an entity."""

    name: str
    kind: str
    count: int = 0
    aliases: list[str] = field(default_factory=list)
    first_position: int = 0


@dataclass
class _Candidate:
    words: list[Word]
    block: list[Word]
    index: int  # of the first word in the block

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def words(text: str) -> list[Word]:
    """Split prose into words, noting where sentences start and phrases break."""
    found: list[Word] = []
    sentence_start = True
    for raw in re.finditer(r"\S+", text):
        token, start = raw.group(), raw.start()
        stripped = token.lstrip(OPENING)
        start += len(token) - len(stripped)
        opens = stripped != token
        core = stripped.rstrip(CLOSING_BREAKS + ".!?")
        trailing = stripped[len(core) :]
        if trailing.startswith(".") and f"{core}." in ABBREVIATIONS:
            core, trailing = f"{core}.", trailing[1:]
        possessive = False
        if len(core) > 2 and core[-2] in APOSTROPHES and core[-1] in "sS":
            core, possessive = core[:-2], True
        elif len(core) > 1 and core[-1] in APOSTROPHES and core[-2] in "sS":
            core, possessive = core[:-1], True
        if not core:
            sentence_start = sentence_start or any(c in ".!?" for c in trailing)
            continue
        if opens and found:
            found[-1].break_after = True
        ends_sentence = any(c in ".!?" for c in trailing)
        found.append(
            Word(
                text=core,
                start=start,
                sentence_start=sentence_start,
                break_after=bool(trailing) or possessive,
                possessive=possessive,
            )
        )
        sentence_start = ends_sentence or trailing.endswith(":")
    return found


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and any(c.isalpha() for c in word)


def _runs(block: list[Word]) -> Iterator[_Candidate]:
    """Yield the runs of capitalised words in a block, connectors allowed inside."""
    index = 0
    while index < len(block):
        if not _is_capitalised(block[index].text):
            index += 1
            continue
        start = index
        while True:
            word = block[index]
            if word.break_after or index + 1 == len(block):
                break
            following = block[index + 1]
            if _is_capitalised(following.text) and not following.sentence_start:
                index += 1
                continue
            # "Bank of China", not "Volkswagen Group of Germany".
            if (
                word.text in CONNECTOR_HEADS
                and following.text in CONNECTORS
                and not following.break_after
                and index + 2 < len(block)
                and _is_capitalised(block[index + 2].text)
            ):
                index += 2
                continue
            break
        run = block[start : index + 1]
        while run and run[0].sentence_start and run[0].text in FUNCTION_WORDS:
            run = run[1:]
            start += 1
        if run:
            yield _Candidate(words=run, block=block, index=start)
        index += 1


def _common_acronyms(text: str) -> set[str]:
    """Acronyms the text spells out as common nouns: "electric vehicle (EV)"."""
    return {match["acronym"] for match in PARENTHESISED_ACRONYM.finditer(text)}


def _is_adjective(name: str) -> bool:
    return name in IRREGULAR_ADJECTIVES or (
        " " not in name and name.endswith(ADJECTIVE_ENDINGS)
    )


def _split_legal_suffix(candidate: _Candidate) -> tuple[str, str]:
    """Return the name without a legal suffix, and the full form if it had one."""
    words_ = [word.text for word in candidate.words]
    if len(words_) > 1 and words_[-1] in LEGAL_SUFFIXES:
        return " ".join(words_[:-1]), " ".join(words_)
    return " ".join(words_), ""


def guess_kind(candidate: _Candidate, full_form: str) -> tuple[str, bool]:
    """Guess what kind of entity a name is; say whether a cue backs the guess."""
    names = [word.text for word in candidate.words]
    if full_form or names[-1] in COMPANY_WORDS:
        return Kind.COMPANY, True
    if any(word in ORGANISATION_WORDS for word in names):
        return Kind.ORGANISATION, True
    if names[-1] in PRODUCT_WORDS:
        return Kind.PRODUCT, True
    if any(word in PLACE_NAME_WORDS for word in names):
        return Kind.PLACE, True
    block, first, last = candidate.block, candidate.index, candidate.index + len(names)
    before = [word.text.lower() for word in block[max(0, first - 2) : first]]
    after = [word.text.lower() for word in block[last : last + 8]]
    if _role_nearby(before, after, block[last - 1]):
        return Kind.PERSON, True
    if before and before[-1] in COMPANY_CUES:
        return Kind.COMPANY, True  # "automaker Ford", "automotive giant Geely"
    # "in France"; but "at Renault's plant" places the plant, and "according to"
    # introduces a source.
    if (
        before
        and before[-1] in PLACE_WORDS
        and before != ["according", "to"]
        and not block[last - 1].possessive
    ):
        return Kind.PLACE, True
    if after and after[0] in COMPANY_CUES and len(names) == 1:
        return Kind.PLACE, True  # "US automaker Ford": a place qualifying a company
    if len(names) > 1:
        return Kind.PERSON, False
    if names[0].isupper():
        return Kind.ORGANISATION, False
    return Kind.PLACE, False


def _role_nearby(before: list[str], after: list[str], last: Word) -> bool:
    if before and before[-1] in ROLE_WORDS:
        return True  # "chairman Ralf Brandstätter"
    # "Cui Dongshu, secretary-general of ...", "Ralf Brandstätter, the group's
    # chairman", "Cui Dongshu, who serves as secretary-general"
    if not last.break_after or last.possessive or not after:
        return False
    return after[0] == "who" or bool(ROLE_WORDS & set(after))


def suggest_entities(article: Article, linker: Linker) -> list[Suggestion]:
    """List the names in an article's dek and body that are not entities yet."""
    document = MarkdownDocument(article.body)
    texts = [article.dek] + [b.text for b in document.blocks if not b.heading]
    common = set(COMMON_ACRONYMS)
    for text in texts:
        common |= _common_acronyms(text)
    lower_case_words = {
        word.text for text in texts for word in words(text) if word.text.islower()
    }

    by_name: dict[str, Suggestion] = {}
    evidence: dict[str, bool] = {}  # name -> seen somewhere but a sentence start
    kinds: dict[str, list[tuple[str, bool]]] = {}
    offset = 0
    for text in texts:
        block = words(text)
        for candidate in _runs(block):
            name, full_form = _split_legal_suffix(candidate)
            single = len(candidate.words) == 1
            if (
                name in MONTHS_AND_DAYS
                or name.rstrip("s") in common
                or name.lower() in ROLE_WORDS
                or _is_adjective(name)
                or len(name) < 2
                or (single and candidate.words[0].sentence_start
                    and name.lower() in lower_case_words)
            ):  # fmt: skip
                continue
            matches = linker.find(name)
            if matches and matches[0].start == 0 and matches[0].end == len(name):
                continue
            suggestion = by_name.setdefault(
                name,
                Suggestion(
                    name=name, kind="", first_position=offset + candidate.words[0].start
                ),
            )
            suggestion.count += 1
            if full_form and full_form not in suggestion.aliases:
                suggestion.aliases.append(full_form)
            evidence[name] = evidence.get(name, False) or not (
                single and candidate.words[0].sentence_start
            )
            kinds.setdefault(name, []).append(guess_kind(candidate, full_form))
        offset += len(text) + 2
    suggestions = []
    for name, suggestion in by_name.items():
        if not evidence[name]:
            continue
        guesses = kinds[name]
        backed = [kind for kind, cue in guesses if cue]
        votes = backed or [kind for kind, _ in guesses]
        suggestion.kind = max(votes, key=votes.count)
        suggestions.append(suggestion)
    return sorted(suggestions, key=lambda s: s.first_position)


@transaction.atomic
def create_suggested_entity(
    *, article: Article, suggestion: Suggestion, kind: str
) -> Entity:
    """Make a suggested name an entity and confirm its mention in the article."""
    entity = Entity(
        name=suggestion.name, slug=slugify(suggestion.name)[:200], kind=kind
    )
    entity.full_clean()
    entity.save()
    EntityAlias.objects.bulk_create(
        EntityAlias(entity=entity, name=alias) for alias in suggestion.aliases
    )
    # Saved by itself, so it counts as the editor's decision; the count and
    # position come when the article is re-linked after this commits.
    Mention(article=article, entity=entity, status=Mention.Status.CONFIRMED).save()
    return entity
