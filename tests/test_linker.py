"""The linker: which spellings in a text count as mentions of which entity."""

import pytest

from entities import linker as linker_module
from entities.linker import Linker, Name, current_linker
from entities.models import CaseRule, EntityAlias
from tests import factories


def found(linker: Linker, text: str) -> list[tuple[str, int]]:
    return [(text[m.start : m.end], m.entity_id) for m in linker.find(text)]


def test_the_longest_name_wins_over_a_shorter_one_inside_it():
    linker = Linker([Name("Volkswagen Group", 1), Name("Volkswagen", 2)])

    assert found(linker, "The Volkswagen Group said Volkswagen would grow.") == [
        ("Volkswagen Group", 1),
        ("Volkswagen", 2),
    ]


def test_a_longer_name_that_is_not_a_whole_word_leaves_the_shorter_one():
    linker = Linker([Name("Volkswagen Group", 1), Name("Volkswagen", 2)])

    assert found(linker, "Volkswagen Groupe is French for it.") == [("Volkswagen", 2)]


def test_whole_words_only():
    linker = Linker([Name("Ford", 1), Name("Cleon", 2)])

    assert found(linker, "Fordham, Afford, Ford2 and O'Ford; Cleon-based Ford.") == [
        ("Cleon", 2),
        ("Ford", 1),
    ]


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_possessives_count_as_the_name(apostrophe):
    linker = Linker([Name("Volkswagen Group", 1), Name("China", 2), Name("Geely", 3)])
    text = "Volkswagen Group's plan, China's market, Geely'".replace("'", apostrophe)

    assert found(linker, text) == [
        ("Volkswagen Group", 1),
        ("China", 2),
        ("Geely", 3),
    ]


def test_short_capital_aliases_match_only_in_capitals():
    linker = Linker([Name("EU", 1), Name("UK", 2), Name("VW", 3)])

    text = "The EU and the UK; neutral Europe, eu, Eu, uk, vw and VWs. VW's cars."

    assert found(linker, text) == [("EU", 1), ("UK", 2), ("VW", 3)]


def test_names_match_in_any_case_but_their_first_letter():
    linker = Linker([Name("Volkswagen Group", 1), Name("Alphabet", 2)])

    text = "VOLKSWAGEN GROUP and Volkswagen group; an alphabet soup from Alphabet."

    assert found(linker, text) == [
        ("VOLKSWAGEN GROUP", 1),
        ("Volkswagen group", 1),
        ("Alphabet", 2),
    ]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (CaseRule.EXACT, ["Apple"]),
        (CaseRule.ANY, ["Apple", "APPLE", "apple"]),
        (CaseRule.NAME, ["Apple", "APPLE"]),
    ],
)
def test_each_name_can_choose_how_its_case_must_match(rule, expected):
    linker = Linker([Name("Apple", 1, rule)])

    assert [text for text, _ in found(linker, "Apple, APPLE, apple.")] == expected


def test_unicode_names_match_and_so_does_an_ascii_alias():
    linker = Linker([Name("Ralf Brandstätter", 5), Name("Ralf Brandstaetter", 5)])
    decomposed = "Ralf Brandsta\u0308tter"  # "a" and a combining diaeresis

    text = f"Ralf Brandstätter, RALF BRANDSTÄTTER, Ralf Brandstaetter, {decomposed}."

    assert [entity for _, entity in found(linker, text)] == [5, 5, 5, 5]


@pytest.mark.parametrize(
    "text",
    [
        "See https://www.renault.com/Renault/news for more.",
        "See www.renault.com/en for more.",
        "Read renault.com or press@renault.com today.",
        "Read http://example.com/?q=Renault today.",
    ],
)
def test_nothing_is_found_in_web_addresses(text):
    linker = Linker([Name("Renault", 1, CaseRule.ANY)])

    assert found(linker, text) == []


def test_an_empty_linker_finds_nothing():
    assert Linker([]).find("Anything at all") == []


# --- One linker per process, refreshed when entities change -------------------


@pytest.fixture
def fresh_linker(monkeypatch):
    monkeypatch.setattr(linker_module, "_current", None)


@pytest.mark.django_db
def test_the_linker_is_built_once_and_reused_while_nothing_changes(
    fresh_linker, django_assert_max_num_queries
):
    factories.entity(name="Renault")
    first = current_linker()

    with django_assert_max_num_queries(2):  # the version stamp, nothing more
        again = current_linker()

    assert again is first


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    ["new entity", "renamed entity", "deleted entity", "new alias", "bulk alias"],
)
def test_the_linker_is_rebuilt_when_entities_change_in_any_process(
    fresh_linker, change
):
    renault = factories.entity(name="Renault")
    ford = factories.entity(name="Ford")
    before = current_linker()

    # Each change is made as another process would: straight in the database,
    # with nothing in this process told about it.
    if change == "new entity":
        factories.entity(name="Geely")
    elif change == "renamed entity":
        renault.name = "Groupe Renault"
        renault.save()
    elif change == "deleted entity":
        ford.delete()
    elif change == "new alias":
        factories.alias(renault, "Renault SA")
    else:
        EntityAlias.objects.bulk_create([EntityAlias(entity=renault, name="RNO")])

    assert current_linker() is not before


@pytest.mark.django_db
def test_a_rebuilt_linker_finds_the_new_names(fresh_linker):
    renault = factories.entity(name="Renault")
    assert found(current_linker(), "Groupe Renault SA") == [("Renault", renault.pk)]

    factories.alias(renault, "Groupe Renault SA")

    assert found(current_linker(), "Groupe Renault SA") == [
        ("Groupe Renault SA", renault.pk)
    ]


def test_names_with_punctuation_match_it_exactly():
    linker = Linker([Name("Shanghai Edrive Co.", 1), Name("AT&T", 2)])

    text = "Shanghai Edrive Co., then Shanghai Edrive Co, AT&T and AT T."

    assert found(linker, text) == [("Shanghai Edrive Co.", 1), ("AT&T", 2)]
