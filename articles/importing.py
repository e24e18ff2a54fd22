"""Read articles in the plain-text export format and write them to the database.

The format, as in ``seeds/``::

    Headline

    Published on Feb 04, 2026.
    By Jane Doe and John Roe          (optional)
    Section: Business                 (optional)
    Dek: One sentence under the head. (optional)

    Headline                          (repeated, optional)

    Body paragraphs, separated by blank lines ...

    INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY

    Read These Next

    img
    regulation

    Title of a related story

    Its dek.

The tag line is the tags in capitals written together with no separator; it is
split against the known tag vocabulary, longest match first.
"""

import datetime
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import page_data, recommendations
from articles.models import (
    Article,
    Author,
    Byline,
    ReadNextPin,
    Section,
    Tag,
    TagSlugRedirect,
)
from articles.revisions import save_revision

MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun",
         "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}  # fmt: skip
DATE_LINE = re.compile(
    r"Published on (?P<month>[A-Za-z]{3})[a-z]*\.? (?P<day>\d{1,2}), (?P<year>\d{4})\.?"
)
METADATA = re.compile(r"(?P<key>Section|Dek):\s*(?P<value>.+)")
# Lower-case words that may stand inside a person's name ("Ursula von der Leyen").
NAME_PARTICLES = frozenset({"al", "bin", "da", "de", "del", "der", "di", "du", "la",
                            "le", "van", "von"})  # fmt: skip
# Words that stay in lower case inside a tag name ("Trade and Industry").
SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or",
                         "the", "to"})  # fmt: skip
READ_NEXT_HEADING = "read these next"
IMAGE_PLACEHOLDER = "img"


class ImportFormatError(Exception):
    """A file does not follow the export format; names the file and the line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}, line {line}: {message}")
        self.source = source
        self.line = line


@dataclass(frozen=True)
class ReadNextItem:
    section: str
    title: str
    dek: str
    line: int
    section_line: int


@dataclass
class ParsedArticle:
    source: str
    headline: str
    published_on: datetime.date
    body: str
    tag_line: str = ""
    tag_line_number: int = 0
    authors: list[str] = field(default_factory=list)
    authors_line: int = 0
    section: str = ""
    section_line: int = 0
    dek: str = ""
    dek_line: int = 0
    read_next: list[ReadNextItem] = field(default_factory=list)


@dataclass
class ImportResult:
    source: str
    slug: str
    action: str  # "created", "updated" or "unchanged"
    tags: list[str] = field(default_factory=list)
    pins: int = 0
    created_sections: list[str] = field(default_factory=list)
    created_tags: list[str] = field(default_factory=list)
    created_authors: list[str] = field(default_factory=list)
    created_targets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.action} “{self.slug}”",
            f"{len(self.tags)} tags",
            f"{self.pins} pins",
        ]
        for label, names in [
            ("new sections", self.created_sections),
            ("new tags", self.created_tags),
            ("new authors", self.created_authors),
            ("new read-next stories", self.created_targets),
        ]:
            if names:
                parts.append(f"{label}: {', '.join(names)}")
        return f"{self.source}: " + "; ".join(parts)


def decode(data: bytes, *, source: str) -> str:
    """Decode a file's bytes as UTF-8 text, refusing binary content."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFormatError(source, line, "this is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            source, line, f"not UTF-8 text (byte 0x{data[error.start]:02x})"
        ) from None


def parse_date_line(text: str, *, source: str, line: int) -> datetime.date | None:
    match = DATE_LINE.fullmatch(text)
    if match is None:
        return None
    month = MONTHS.get(match["month"].lower())
    if month is None:
        raise ImportFormatError(source, line, f"unknown month “{match['month']}”")
    try:
        return datetime.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        raise ImportFormatError(source, line, f"“{text}” is not a real date") from None


def parse_byline(text: str) -> list[str]:
    """Return the names in a line like "By Ann Lee, Bo Chen and Cy Diaz", or []."""
    if not text.startswith("By ") or len(text) > 200:
        return []
    names = [
        name.strip()
        for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", text[3:])
        if name.strip()
    ]
    for name in names:
        words = name.split()
        # Capitalised words, or letters with no case at all (Chinese, Arabic).
        if not words or not all(
            word[0].isupper()
            or (word[0].isalpha() and not word[0].islower())
            or word in NAME_PARTICLES
            for word in words
        ):
            return []
        if any(character.isdigit() for character in name):
            return []
    return names


def is_tag_line(text: str) -> bool:
    return (
        "\n" not in text
        and text == text.upper()
        and any(character.isalpha() for character in text)
        and not re.search(r"[.,;:!?\"“”()]", text)
    )


def parse(text: str, *, source: str) -> ParsedArticle:
    """Parse one file's text; raise ImportFormatError naming the line at fault."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    content = [(number, line) for number, line in lines if line]
    if not content:
        raise ImportFormatError(source, 1, "the file is empty")

    headline_line, headline = content[0]
    if len(headline) > 255:
        raise ImportFormatError(
            source, headline_line, "the headline is over 255 characters"
        )
    if len(content) < 2:
        raise ImportFormatError(
            source,
            headline_line,
            "expected “Published on Mon DD, YYYY.” after the headline",
        )
    date_line, date_text = content[1]
    published_on = parse_date_line(date_text, source=source, line=date_line)
    if published_on is None:
        raise ImportFormatError(
            source,
            date_line,
            "expected “Published on Mon DD, YYYY.” after the headline, "
            f"found “{date_text[:60]}”",
        )

    parsed = ParsedArticle(
        source=source, headline=headline, published_on=published_on, body=""
    )
    index = 2
    while index < len(content) and content[index][1] != headline:
        number, line = content[index]
        if (match := METADATA.fullmatch(line)) is not None:
            key = match["key"].lower()
            if getattr(parsed, key):
                raise ImportFormatError(
                    source, number, f"“{match['key']}:” is given twice"
                )
            setattr(parsed, key, match["value"].strip())
            setattr(parsed, f"{key}_line", number)
        elif not parsed.authors and (authors := parse_byline(line)):
            parsed.authors, parsed.authors_line = authors, number
        else:
            break
        index += 1
    if index < len(content) and content[index][1] == headline:
        index += 1
    if len(parsed.dek) > 500:
        raise ImportFormatError(
            source, parsed.dek_line, "the Dek: line is over 500 characters"
        )

    body_start = content[index][0] if index < len(content) else len(lines) + 1
    read_next_line = next(
        (
            number
            for number, line in content[index:]
            if line.lower() == READ_NEXT_HEADING
        ),
        None,
    )
    body_end = read_next_line if read_next_line is not None else len(lines) + 1
    paragraphs = _paragraphs(lines, start=body_start, end=body_end)
    if paragraphs and is_tag_line(paragraphs[-1][1]):
        parsed.tag_line_number, parsed.tag_line = paragraphs.pop()
    if not paragraphs:
        last_header_line = content[index - 1][0]
        raise ImportFormatError(
            source,
            last_header_line,
            "the article has no body paragraphs after this line",
        )
    parsed.body = "\n\n".join(paragraph for _, paragraph in paragraphs)

    if read_next_line is not None:
        parsed.read_next = _read_next_items(
            [(n, line) for n, line in content if n > read_next_line], source=source
        )
        if not parsed.read_next:
            raise ImportFormatError(
                source, read_next_line, "“Read These Next” is followed by no stories"
            )
    return parsed


def _paragraphs(
    lines: list[tuple[int, str]], *, start: int, end: int
) -> list[tuple[int, str]]:
    paragraphs: list[tuple[int, str]] = []
    current: list[str] = []
    first_line = 0
    for number, line in lines:
        if number < start or number >= end:
            continue
        if line:
            if not current:
                first_line = number
            current.append(line)
        elif current:
            paragraphs.append((first_line, "\n".join(current)))
            current = []
    if current:
        paragraphs.append((first_line, "\n".join(current)))
    return paragraphs


def _read_next_items(
    content: list[tuple[int, str]], *, source: str
) -> list[ReadNextItem]:
    items = []
    for offset in range(0, len(content), 4):
        group = content[offset : offset + 4]
        first_line, placeholder = group[0]
        if placeholder.lower() != IMAGE_PLACEHOLDER:
            raise ImportFormatError(
                source,
                first_line,
                f"expected the image placeholder “img” to start a Read These Next "
                f"story, found “{placeholder[:60]}”",
            )
        if len(group) < 4:
            raise ImportFormatError(
                source,
                first_line,
                "a Read These Next story needs four lines: img, section, title, dek",
            )
        (section_line, section), (title_line, title), (_, dek) = group[1:]
        if len(title) > 255:
            raise ImportFormatError(
                source, title_line, "the title is over 255 characters"
            )
        items.append(
            ReadNextItem(
                section=section,
                title=title,
                dek=dek,
                line=title_line,
                section_line=section_line,
            )
        )
    return items


def split_tag_line(line: str, vocabulary: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split run-together capitalised tags into known tag names.

    Returns the tag names found, in order, and the pieces of the line that match
    no known tag. The split covers as much of the line as possible with known
    tags, preferring fewer, longer tags, so ``INTERNATIONAL TRADEAUTOMOTIVE
    INDUSTRY`` is two tags and not four.
    """
    by_upper: dict[str, str] = {}
    for name in vocabulary:
        by_upper.setdefault(name.upper(), name)
    text = line.strip().upper()
    length = len(text)
    # best[i]: (characters left uncovered, pieces used) for text[i:], with the
    # step taken from i; filled right to left.
    best: list[tuple[int, int]] = [(0, 0)] * (length + 1)
    step: list[str | None] = [None] * (length + 1)
    for i in range(length - 1, -1, -1):
        uncovered, pieces = best[i + 1]
        best[i], step[i] = (uncovered + (text[i] != " "), pieces), None
        for upper in by_upper:
            if text.startswith(upper, i):
                uncovered, pieces = best[i + len(upper)]
                candidate = (uncovered, pieces + 1)
                if candidate < best[i] or (
                    candidate == best[i] and step[i] and len(upper) > len(step[i])
                ):
                    best[i], step[i] = candidate, upper
    tags: list[str] = []
    unknown: list[str] = []
    pending = ""
    i = 0
    while i < length:
        if step[i] is None:
            pending += text[i]
            i += 1
            continue
        if pending.strip():
            unknown.append(pending.strip())
        pending = ""
        tags.append(by_upper[step[i]])
        i += len(step[i])
    if pending.strip():
        unknown.append(pending.strip())
    return list(dict.fromkeys(tags)), unknown


def describe_validation_error(error: ValidationError) -> str:
    """Say in one line what a model's full_clean() refused."""
    return "; ".join(
        " ".join(messages)
        if name == NON_FIELD_ERRORS
        else f"{name}: {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    )


@contextmanager
def reported_at(source: str, line: int, subject: str) -> Iterator[None]:
    """Turn a model validation error into an import error naming file and line."""
    try:
        yield
    except ValidationError as error:
        raise ImportFormatError(
            source, line, f"{subject}: {describe_validation_error(error)}"
        ) from None


def tag_display_name(capitals: str) -> str:
    """Spell a tag written in capitals: "AI REGULATION" becomes "AI Regulation"."""
    words = []
    for word in capitals.split():
        lower = word.lower()
        if words and lower in SMALL_WORDS:
            words.append(lower)
        elif len(word) <= 2:
            words.append(word)  # EU, UK, AI: abbreviations keep their capitals
        else:
            words.append(word.capitalize())
    return " ".join(words)


class ArticleImporter:
    """Write parsed articles, creating what they refer to; one file, one transaction."""

    def __init__(
        self, *, default_section: str = "News", extra_tags: Iterable[str] = ()
    ) -> None:
        self.default_section = default_section
        self.extra_tags = [name.strip() for name in extra_tags if name.strip()]

    def import_file(self, path: Path, *, dry_run: bool = False) -> ImportResult:
        """Import one file atomically; with dry_run, roll everything back."""
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ImportFormatError(
                source, 1, f"cannot read the file ({error.strerror})"
            ) from None
        parsed = parse(decode(data, source=source), source=source)
        with transaction.atomic():
            result = self.write(parsed)
            if dry_run:
                transaction.set_rollback(True)
        return result

    def write(self, parsed: ParsedArticle) -> ImportResult:
        """Create or update the article and everything it refers to."""
        source = parsed.source
        slug = slugify(parsed.headline)[:255]
        if not slug:
            raise ImportFormatError(source, 1, "the headline has no letters or digits")
        result = ImportResult(source=source, slug=slug, action="created")

        section = self._section(
            parsed.section or self.default_section, result, line=parsed.section_line
        )
        tags = self._tags(parsed, result)
        authors = [
            self._author(name, result, line=parsed.authors_line)
            for name in parsed.authors
        ]
        published_at = timezone.make_aware(
            datetime.datetime.combine(parsed.published_on, datetime.time.min)
        )

        article = Article.objects.filter(slug=slug).first()
        is_new = article is None
        # An article already in the database keeps the status editors gave it.
        if is_new:
            article = Article(
                status=Article.Status.PUBLISHED, published_at=published_at
            )
        # A Read These Next stand-in (its body is its dek) being completed by
        # its own file is the story arriving, not a correction of it.
        completes_stand_in = not is_new and article.body == article.dek
        changed = False
        if (
            not is_new
            and timezone.localdate(article.published_at) != parsed.published_on
        ):
            article.published_at = published_at
            changed = True
        fields = {
            "slug": slug,
            "headline": parsed.headline,
            "body": parsed.body,
            "section": section,
            # A file without a dek keeps the one an editor or a read-next block gave.
            "dek": parsed.dek or article.dek,
        }
        for name, value in fields.items():
            if getattr(article, name, None) != value:
                setattr(article, name, value)
                changed = True
        if is_new or changed:
            with reported_at(source, 1, "the article is not valid"):
                article.full_clean()
            article.save()
            if completes_stand_in:
                article.updated_at = None
                Article.objects.filter(pk=article.pk).update(updated_at=None)

        if {tag.pk for tag in article.tags.all()} != {tag.pk for tag in tags}:
            article.tags.set(tags)
            changed = True

        if [b.author_id for b in article.bylines.all()] != [a.pk for a in authors]:
            article.bylines.all().delete()
            Byline.objects.bulk_create(
                Byline(article=article, author=author, position=position)
                for position, author in enumerate(authors)
            )
            # bulk_create sends no signal: the page shows the new byline.
            page_data.invalidate([article.pk])
            changed = True

        targets = [self._target(item, article, result) for item in parsed.read_next]
        pinned = [pin.target_id for pin in article.read_next_pins.all()]
        if pinned != [target.pk for target in targets]:
            article.read_next_pins.all().delete()
            ReadNextPin.objects.bulk_create(
                ReadNextPin(article=article, target=target, position=position)
                for position, target in enumerate(targets)
            )
            changed = True

        # Linked now as well as after the import commits, so that the revision
        # below holds the entity mentions.
        from entities.mentions import relink_article

        relink_article(article)
        recommendations.update_article(article)

        if is_new or changed:
            save_revision(
                article, user=None, comment=f"Imported from {Path(source).name}."
            )
        result.action = "created" if is_new else "updated" if changed else "unchanged"
        result.tags = [tag.name for tag in tags]
        result.pins = len(targets)
        return result

    def _section(self, label: str, result: ImportResult, *, line: int) -> Section:
        slug = slugify(label)
        section = Section.objects.filter(slug=slug).first()
        if section is None:
            name = label if label != label.lower() else label.capitalize()
            section = Section(name=name, slug=slug)
            with reported_at(result.source, line, f"section “{label}”"):
                section.full_clean()
            section.save()
            result.created_sections.append(name)
        return section

    def _tags(self, parsed: ParsedArticle, result: ImportResult) -> list[Tag]:
        if not parsed.tag_line:
            return []
        known = {tag.name: tag for tag in Tag.objects.all()}
        # A merged tag's old name still splits tag lines, and means its survivor.
        for redirect in TagSlugRedirect.objects.select_related("tag"):
            known.setdefault(redirect.old_name, redirect.tag)
        for name in self.extra_tags:
            if name.upper() not in {existing.upper() for existing in known}:
                known[name] = self._new_tag(name, result)
        names, unknown = split_tag_line(parsed.tag_line, known)
        tags = list(dict.fromkeys(known[name] for name in names))
        for piece in unknown:
            tag = self._new_tag(tag_display_name(piece), result)
            tags.append(tag)
            result.warnings.append(
                f"{parsed.source}, line {parsed.tag_line_number}: “{piece}” matches "
                f"no known tag, so it became the new tag “{tag.name}”; if it is "
                "really several tags, fix it in the admin, or import with --tag"
            )
        return tags

    def _new_tag(self, name: str, result: ImportResult) -> Tag:
        tag, created = Tag.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
        if created:
            result.created_tags.append(name)
        return tag

    def _author(self, name: str, result: ImportResult, *, line: int) -> Author:
        slug = slugify(name)
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author(name=name, slug=slug)
            with reported_at(result.source, line, f"author “{name}”"):
                author.full_clean()
            author.save()
            result.created_authors.append(name)
        return author

    def _target(
        self, item: ReadNextItem, article: Article, result: ImportResult
    ) -> Article:
        slug = slugify(item.title)[:255]
        if slug == article.slug:
            raise ImportFormatError(
                result.source, item.line, "an article cannot recommend itself"
            )
        target = Article.objects.filter(slug=slug).first()
        if target is None:
            # Stands in for the story until its own file is imported or an editor
            # completes it: the dek is its only text.
            target = Article(
                headline=item.title,
                slug=slug,
                dek=item.dek,
                body=item.dek,
                section=self._section(item.section, result, line=item.section_line),
                status=Article.Status.PUBLISHED,
                published_at=article.published_at,
            )
            with reported_at(
                result.source, item.line, f"Read These Next “{item.title}”"
            ):
                target.full_clean()
            target.save()
            recommendations.update_article(target)
            result.created_targets.append(item.title)
        elif not target.dek and len(item.dek) <= 500:
            target.dek = item.dek
            target.save(update_fields=["dek", "revised_at"])
        return target
