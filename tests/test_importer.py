import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.importing import (
    ArticleImporter,
    ImportFormatError,
    decode,
    parse,
    split_tag_line,
    tag_display_name,
)
from articles.models import Article, Author, ReadNextPin, Section, Tag
from entities.models import Mention
from tests import factories

STORY = """\
Harbour Cranes Arrive in Port Town

Published on Jan 12, 2026.
By Ada Quill and Ben Marsh
Section: Business
Dek: Three new cranes double what the quay can lift.

Harbour Cranes Arrive in Port Town

The first of three cranes reached the quay on Monday, towed across the bay.

Dock workers expect the cranes to be working by the spring.

INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY

Read These Next

img
regulation

Port Authority Sets New Berth Fees

The authority will charge by the hour from March.

img
business

Shipping Line Adds a Weekly Call

A second weekly service begins in February.
"""


@pytest.fixture
def story(write_file):
    return write_file("cranes.txt", STORY)


def run_import(*paths, **options) -> tuple[str, str]:
    from io import StringIO

    stdout, stderr = StringIO(), StringIO()
    call_command(
        "import_articles", *map(str, paths), stdout=stdout, stderr=stderr, **options
    )
    return stdout.getvalue(), stderr.getvalue()


# --- Splitting the tag line -------------------------------------------------


def test_joined_tag_line_splits_into_known_tags_longest_first():
    vocabulary = ["International Trade", "Trade", "Automotive Industry", "Industry"]

    tags, unknown = split_tag_line("INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY", vocabulary)

    assert tags == ["International Trade", "Automotive Industry"]
    assert unknown == []


def test_tag_line_split_prefers_a_full_cover_over_a_greedy_prefix():
    # Greedy "TRADE POLICY" first would strand "TRADEPOLICY" pieces; the split
    # must still cover the whole line with known tags.
    vocabulary = ["International Trade", "Trade Policy", "International"]

    tags, unknown = split_tag_line("INTERNATIONAL TRADETRADE POLICY", vocabulary)

    assert tags == ["International Trade", "Trade Policy"]
    assert unknown == []


def test_tag_line_remainder_matching_no_tag_is_returned_not_guessed():
    tags, unknown = split_tag_line(
        "INTERNATIONAL TRADEGREEN HYDROGENAUTOMOTIVE INDUSTRY",
        ["International Trade", "Automotive Industry"],
    )

    assert tags == ["International Trade", "Automotive Industry"]
    assert unknown == ["GREEN HYDROGEN"]


# --- Parsing --------------------------------------------------------------


def test_parse_reads_every_part_of_the_export_format():
    parsed = parse(STORY, source="cranes.txt")

    assert parsed.headline == "Harbour Cranes Arrive in Port Town"
    assert parsed.published_on == datetime.date(2026, 1, 12)
    assert parsed.authors == ["Ada Quill", "Ben Marsh"]
    assert parsed.section == "Business"
    assert parsed.dek == "Three new cranes double what the quay can lift."
    assert parsed.body.split("\n\n") == [
        "The first of three cranes reached the quay on Monday, towed across the bay.",
        "Dock workers expect the cranes to be working by the spring.",
    ]
    assert parsed.tag_line == "INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY"
    assert [(i.section, i.title, i.dek) for i in parsed.read_next] == [
        ("regulation", "Port Authority Sets New Berth Fees",
         "The authority will charge by the hour from March."),
        ("business", "Shipping Line Adds a Weekly Call",
         "A second weekly service begins in February."),
    ]  # fmt: skip


def test_parse_accepts_the_seed_layout_without_metadata_lines(seed_file):
    parsed = parse(seed_file.read_text(encoding="utf-8"), source=str(seed_file))

    assert (
        parsed.headline
        == "Foreign Automakers Pursue Partnerships in China's NEV Sector"
    )
    assert parsed.published_on == datetime.date(2026, 2, 4)
    assert parsed.authors == [] and parsed.section == "" and parsed.dek == ""
    assert len(parsed.body.split("\n\n")) == 12
    assert parsed.tag_line == "INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY"
    assert [item.section for item in parsed.read_next] == ["regulation"]
    assert parsed.read_next[0].title == "Alphabet's Q4: A Sign of New AI Investment Era"


def test_a_body_paragraph_starting_with_by_is_not_a_byline():
    text = STORY.replace("By Ada Quill and Ben Marsh\n", "").replace(
        "Harbour Cranes Arrive in Port Town\n\nThe first",
        "By the end of the week the cranes were on the quay.\n\nThe first",
    )

    parsed = parse(text, source="x.txt")

    assert parsed.authors == []
    assert parsed.body.startswith("By the end of the week")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("", 1, "the file is empty"),
        ("\n\n   \n", 1, "the file is empty"),
        ("A Headline\n\nSome text that is not a date.\n", 3, "expected “Published on"),
        ("A Headline\n", 1, "expected “Published on"),
        ("A Headline\n\nPublished on Feb 30, 2026.\n\nBody.\n", 3, "not a real date"),
        ("A Headline\n\nPublished on Foo 04, 2026.\n\nBody.\n", 3, "unknown month"),
        ("A Headline\n\nPublished on Feb 04, 2026.\n\nA Headline\n", 5, "no body"),
        ("A Headline\n\nPublished on Feb 04, 2026.\n\nTAGS ONLY\n", 3, "no body"),
        (
            "A Headline\n\nPublished on Feb 04, 2026.\n\nBody.\n\nRead These Next\n\n"
            "picture\nbusiness\n\nTitle\n\nDek.\n",
            9,
            "image placeholder",
        ),
        (
            "A Headline\n\nPublished on Feb 04, 2026.\n\nBody.\n\nRead These Next\n\n"
            "img\nbusiness\n\nTitle\n",
            9,
            "needs four lines",
        ),
        (
            "A Headline\n\nPublished on Feb 04, 2026.\n\nBody.\n\nRead These Next\n",
            7,
            "followed by no stories",
        ),
    ],
    ids=[
        "empty", "blank", "missing-date", "headline-only", "impossible-date",
        "bad-month", "no-body", "tags-but-no-body", "bad-placeholder",
        "short-read-next", "empty-read-next",
    ],
)  # fmt: skip
def test_parse_names_the_line_of_a_malformed_file(content, line, message):
    with pytest.raises(ImportFormatError) as error:
        parse(content, source="bad.txt")

    assert error.value.line == line
    assert str(error.value).startswith(f"bad.txt, line {line}: ")
    assert message in str(error.value)


def test_decode_refuses_binary_and_non_utf8_files_naming_the_line():
    with pytest.raises(
        ImportFormatError, match=r"x\.bin, line 2: this is a binary file"
    ):
        decode(b"Headline\n\x89PNG\x00\x00", source="x.bin")
    with pytest.raises(ImportFormatError, match=r"x\.txt, line 3: not UTF-8 text"):
        decode(b"Headline\n\nPublished on \xff\xfe", source="x.txt")


# --- Writing ----------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_the_article_with_everything_the_file_says(story):
    stdout, stderr = run_import(story)

    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    assert article.status == Article.Status.PUBLISHED
    assert timezone.localdate(article.published_at) == datetime.date(2026, 1, 12)
    assert article.section.name == "Business"
    assert article.dek == "Three new cranes double what the quay can lift."
    assert "<p>Dock workers expect" in article.body_html
    assert sorted(article.tags.names()) == [
        "Automotive Industry",
        "International Trade",
    ]
    assert [b.author.name for b in article.bylines.all()] == ["Ada Quill", "Ben Marsh"]
    assert "created “harbour-cranes-arrive-in-port-town”" in stdout
    assert "1 of 1 files imported." in stdout
    assert stderr == ""


@pytest.mark.django_db
def test_missing_read_next_targets_are_created_published_and_pinned_in_order(story):
    run_import(story)

    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    pins = list(article.read_next_pins.select_related("target__section"))
    assert [pin.target.headline for pin in pins] == [
        "Port Authority Sets New Berth Fees",
        "Shipping Line Adds a Weekly Call",
    ]
    fees = pins[0].target
    assert fees.section.slug == "regulation" and fees.section.name == "Regulation"
    assert fees.dek == "The authority will charge by the hour from March."
    assert fees.body == fees.dek
    assert fees in Article.objects.live()


@pytest.mark.django_db
def test_existing_read_next_target_is_pinned_not_duplicated(story):
    existing = factories.article(
        headline="Shipping Line Adds a Weekly Call",
        slug="shipping-line-adds-a-weekly-call",
    )

    run_import(story)

    assert Article.objects.filter(headline=existing.headline).count() == 1
    assert ReadNextPin.objects.filter(target=existing, position=1).exists()


@pytest.mark.django_db
def test_importing_twice_creates_no_duplicates_and_reports_unchanged(story):
    run_import(story)
    counts = [m.objects.count() for m in (Article, Section, Tag, Author, ReadNextPin)]
    first_update = Article.objects.get(
        slug="harbour-cranes-arrive-in-port-town"
    ).revised_at

    stdout, _ = run_import(story)

    assert [
        m.objects.count() for m in (Article, Section, Tag, Author, ReadNextPin)
    ] == counts
    assert "unchanged “harbour-cranes-arrive-in-port-town”" in stdout
    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    assert article.revised_at == first_update


@pytest.mark.django_db
def test_reimporting_an_edited_file_updates_the_article(story, write_file):
    run_import(story)
    edited = write_file("cranes.txt", STORY.replace("by the spring", "by the summer"))

    stdout, _ = run_import(edited)

    assert "updated “harbour-cranes-arrive-in-port-town”" in stdout
    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    assert "by the summer" in article.body_html


@pytest.mark.django_db
def test_unknown_tag_remainder_becomes_a_new_tag_with_a_warning_naming_the_file(
    write_file,
):
    path = write_file(
        "hydrogen.txt",
        STORY.replace(
            "INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY",
            "INTERNATIONAL TRADEGREEN HYDROGEN IN THE EU",
        ),
    )

    stdout, stderr = run_import(path)

    assert stderr.startswith(
        f"warning: {path}, line 14: “GREEN HYDROGEN IN THE EU” matches no known tag, "
        "so it became the new tag “Green Hydrogen in the EU”"
    )
    assert "new tags: Green Hydrogen in the EU" in stdout
    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    assert sorted(article.tags.names()) == [
        "Green Hydrogen in the EU",
        "International Trade",
    ]

    # The new tag is now part of the vocabulary: importing again is quiet.
    assert run_import(path)[1] == ""


@pytest.mark.parametrize(
    ("capitals", "name"),
    [
        ("GREEN HYDROGEN", "Green Hydrogen"),
        ("AI REGULATION", "AI Regulation"),
        ("TRADE AND INDUSTRY", "Trade and Industry"),
        ("THE ECONOMY", "The Economy"),
    ],
)
def test_tag_names_written_in_capitals_get_a_readable_spelling(capitals, name):
    assert tag_display_name(capitals) == name


@pytest.mark.django_db
def test_tag_option_adds_a_tag_to_the_vocabulary(write_file):
    path = write_file(
        "hydrogen.txt",
        STORY.replace("AUTOMOTIVE INDUSTRY\n", "GREEN HYDROGEN\n"),
    )

    _, stderr = run_import(path, tags=["Green Hydrogen"])

    assert stderr == ""
    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    assert sorted(article.tags.names()) == ["Green Hydrogen", "International Trade"]


@pytest.mark.django_db
def test_malformed_file_writes_nothing_and_other_files_still_import(story, write_file):
    broken = write_file(
        "broken.txt",
        STORY.replace("Harbour Cranes", "Broken Cranes").replace(
            "\nimg\nbusiness\n", "\nimage\nbusiness\n"
        ),
    )
    before = {m: m.objects.count() for m in (Article, Section, Author, ReadNextPin)}

    with pytest.raises(CommandError, match="1 of 2 files failed"):
        run_import(broken, story)

    # The good file imported; nothing from the broken one (which would have
    # created a section, authors and a read-next story before failing) stayed.
    assert Article.objects.filter(slug="harbour-cranes-arrive-in-port-town").exists()
    assert not Article.objects.filter(slug="broken-cranes-arrive-in-port-town").exists()
    assert Article.objects.count() == before[Article] + 3


@pytest.mark.django_db
def test_error_in_the_middle_of_writing_rolls_back_the_whole_file(story, write_file):
    # Refers to itself from Read These Next: found only after the article,
    # its section, authors and tags were written.
    path = write_file(
        "self.txt",
        STORY.replace(
            "Port Authority Sets New Berth Fees", "Harbour Cranes Arrive in Port Town"
        ),
    )

    with pytest.raises(CommandError):
        run_import(path)

    assert not Article.objects.exists()
    assert not Author.objects.exists()
    assert not Section.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("replace", "by", "line", "message"),
    [
        ("Section: Business", "Section: Tags", 5, "section “Tags”: slug:"),
        ("Section: Business", "Section: !!!", 5, "section “!!!”: slug:"),
        ("Dek: Three", "Dek: " + "x" * 501, 6, "the Dek: line is over 500"),
        ("\nregulation\n", "\nsearch\n", 19, "section “search”: slug:"),
        (
            "Port Authority Sets New Berth Fees",
            "Port " * 60,
            21,
            "the title is over 255 characters",
        ),
    ],
    ids=[
        "reserved-section",
        "empty-section",
        "long-dek",
        "reserved-label",
        "long-title",
    ],
)
def test_invalid_values_are_errors_naming_the_line_and_write_nothing(
    write_file, replace, by, line, message
):
    path = write_file("invalid.txt", STORY.replace(replace, by, 1))

    with pytest.raises(ImportFormatError) as error:
        ArticleImporter().import_file(path)

    assert (error.value.line, message in str(error.value)) == (line, True), error.value
    assert not Article.objects.exists()
    assert not Section.objects.exists()


def test_names_without_letter_case_are_a_byline():
    text = STORY.replace("By Ada Quill and Ben Marsh", "By 王伟 and Ada Quill")

    assert parse(text, source="x.txt").authors == ["王伟", "Ada Quill"]


@pytest.mark.django_db
def test_error_output_names_the_file_and_line(write_file, capsys):
    path = write_file("nodate.txt", "A Headline\n\nNo date here.\n\nBody.\n")
    from io import StringIO

    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(path), stdout=StringIO(), stderr=stderr)

    assert (
        f"error: {path}, line 3: expected “Published on Mon DD, YYYY.”"
        in stderr.getvalue()
    )


@pytest.mark.django_db
def test_dry_run_reports_without_writing(story):
    stdout, _ = run_import(story, dry_run=True)

    assert "dry run: " in stdout and "created “harbour-cranes" in stdout
    assert "1 of 1 files checked." in stdout
    assert not Article.objects.exists()
    assert not Section.objects.exists()


@pytest.mark.django_db
def test_directories_and_several_paths_import_every_txt_file(tmp_path, write_file):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    (folder / "b.txt").write_text(
        STORY.replace("Harbour Cranes Arrive", "Second Crane Arrives"), encoding="utf-8"
    )
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    single = write_file(
        "c.txt", STORY.replace("Harbour Cranes Arrive", "Third Crane Arrives")
    )

    stdout, _ = run_import(folder, single)

    assert "3 of 3 files imported." in stdout
    assert Article.objects.filter(headline__endswith="in Port Town").count() == 3


@pytest.mark.django_db
def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or directory"):
        run_import(tmp_path / "nowhere.txt")


@pytest.mark.django_db
def test_seed_story_imports_into_an_empty_site_with_two_tags(seed_file):
    run_import(seed_file)

    article = Article.objects.get(
        headline="Foreign Automakers Pursue Partnerships in China's NEV Sector"
    )
    assert sorted(tag.name for tag in article.tags.all()) == [
        "Automotive Industry",
        "International Trade",
    ]
    assert [pin.target.headline for pin in article.read_next_pins.all()] == [
        "Alphabet's Q4: A Sign of New AI Investment Era"
    ]
    assert article.section.slug == "news"


@pytest.mark.django_db
def test_import_links_known_entities_in_the_text(
    story, django_capture_on_commit_callbacks
):
    town = factories.entity(name="Port Town", slug="port-town")
    factories.entity(name="Inland City", slug="inland-city")

    with django_capture_on_commit_callbacks(execute=True):
        run_import(story)

    article = Article.objects.get(slug="harbour-cranes-arrive-in-port-town")
    mention = Mention.objects.get(article=article)
    assert (mention.entity, mention.count) == (town, 1)
    assert mention.status == Mention.Status.CONFIRMED
