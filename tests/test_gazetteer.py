from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from entities.importing import GazetteerError, import_gazetteer
from entities.models import Entity

GAZETTEER = """\
[[entity]]
name = "Volkswagen Group"
kind = "company"
aliases = ["Volkswagen", "VW"]
description = "A carmaker."
wikidata = "Q156578"

[[entity]]
name = "Cleon"
kind = "place"
"""


@pytest.mark.django_db
def test_gazetteer_creates_entities_with_aliases(write_file):
    result = import_gazetteer(write_file("entities.toml", GAZETTEER))

    assert result.created == ["Volkswagen Group", "Cleon"]
    vw = Entity.objects.get(slug="volkswagen-group")
    assert (vw.kind, vw.description, vw.wikidata_id) == (
        "company",
        "A carmaker.",
        "Q156578",
    )
    assert sorted(vw.aliases.values_list("name", flat=True)) == ["VW", "Volkswagen"]


@pytest.mark.django_db
def test_gazetteer_import_is_idempotent_and_updates_what_changed(write_file):
    path = write_file("entities.toml", GAZETTEER)
    import_gazetteer(path)

    assert import_gazetteer(path).unchanged == 2

    path.write_text(GAZETTEER.replace('"VW"', '"VW AG"'), encoding="utf-8")
    result = import_gazetteer(path)
    assert result.updated == ["Volkswagen Group"]
    vw = Entity.objects.get(slug="volkswagen-group")
    assert sorted(vw.aliases.values_list("name", flat=True)) == ["VW AG", "Volkswagen"]
    assert Entity.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[entity]\nname = 'x'", "(at line 12, column 9)"),
        ("[[entity]]\nkind = 'place'", ", line 12: entity: “name” is missing"),
        ("[[entity]]\nname = 'X'\nkind = 'planet'", ", line 12: entity “X”: kind:"),
        (
            "[[entity]]\nname = 'X'\nkind = 'place'\nwikidata = 'W1'",
            ", line 12: entity “X”: wikidata_id: A Wikidata id looks like Q6686.",
        ),
        ("[[entity]]\nname = 'X'\nkind = 'place'\naliases = 'Y'", "a list of"),
        ("[[entity]]\nname = 'X'\nkind = 'place'\ncolour = 'red'", "unknown keys"),
        ("[[entity]]\nname = 'X'\nkind = 'place'\ndescription = 3", "must be text"),
        ("[[entity]]\nname = 'Cleon'\nkind = 'place'", "same entity as line 8"),
        ("[[entity]]\nname = 'X'\nkind = 'place'\npolicy = 'maybe'",
         "mention_policy: Value 'maybe' is not a valid choice."),
        ("[[entity]]\nname = 'X'\nkind = 'place'\ncase = 'upper'",
         "match_case: Value 'upper' is not a valid choice."),
        ("[[entity]]\nname = 'X'\nkind = 'place'\naliases = [{ nom = 'Y' }]",
         "a list of strings or of tables"),
        ("[[entity]]\nname = 'X'\nkind = 'place'\n"
         "aliases = [{ name = 'Y', case = 'upper' }]",
         "alias “Y”: match_case: Value 'upper' is not a valid choice."),
    ],
    ids=["bad-toml", "no-name", "bad-kind", "bad-wikidata", "bad-aliases",
         "unknown-key", "not-text", "repeated", "bad-policy", "bad-case",
         "bad-alias-table", "bad-alias-case"],
)  # fmt: skip
def test_a_malformed_entity_names_its_line_and_nothing_is_written(
    write_file, content, message
):
    # The two good entities before the bad one must not be written either.
    path = write_file("entities.toml", GAZETTEER + "\n" + content)

    with pytest.raises(GazetteerError) as error:
        import_gazetteer(path)

    assert str(error.value).startswith(str(path))
    assert message in str(error.value)
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_a_file_without_entity_tables_is_a_clear_error(write_file):
    with pytest.raises(GazetteerError, match="expected only \\[\\[entity\\]\\] tables"):
        import_gazetteer(write_file("entities.toml", "title = 'no entities'\n"))


@pytest.mark.django_db
def test_import_entities_command_reports_and_fails_clearly(write_file):
    stdout = StringIO()
    call_command(
        "import_entities", str(write_file("ok.toml", GAZETTEER)), stdout=stdout
    )
    assert ": 2 created, 0 updated, 0 unchanged\n" in stdout.getvalue()
    assert "relink_entities" in stdout.getvalue()

    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_entities", "/nonexistent/entities.toml", stdout=StringIO())


@pytest.mark.django_db
def test_gazetteer_sets_policy_and_case_rules_of_names_and_aliases(write_file):
    path = write_file(
        "entities.toml",
        """\
[[entity]]
name = "Apple"
kind = "company"
case = "exact"
policy = "suggest"
aliases = ["Apple Inc.", { name = "AAPL", case = "any" }]
""",
    )

    import_gazetteer(path)

    apple = Entity.objects.get(slug="apple")
    assert (apple.match_case, apple.mention_policy) == ("exact", "suggest")
    assert dict(apple.aliases.values_list("name", "match_case")) == {
        "AAPL": "any",
        "Apple Inc.": "auto",
    }
    assert import_gazetteer(path).unchanged == 1

    path.write_text(
        path.read_text(encoding="utf-8").replace('case = "any"', 'case = "exact"'),
        encoding="utf-8",
    )
    assert import_gazetteer(path).updated == ["Apple"]
    assert apple.aliases.get(name="AAPL").match_case == "exact"
