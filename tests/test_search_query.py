"""Reading a reader's query: the syntax, its limits, and what reaches the database."""

import re

import pytest

from articles.search_query import (
    MAX_CLAUSES,
    MAX_QUERY_CHARACTERS,
    Clause,
    Phrase,
    parse_query,
    to_fts5,
    to_tsquery,
)


def words(query: str) -> list[tuple[tuple[str, ...], bool]]:
    """Each clause's alternatives as (words, prefix), and whether it is excluded."""
    return [
        ([(phrase.words, phrase.prefix) for phrase in clause.alternatives], excluded)
        for clause in parse_query(query).clauses
        for excluded in [clause.excluded]
    ]


def test_words_are_lower_cased_and_all_required():
    parsed = parse_query("Renault  CLEON")

    assert parsed.clauses == (
        Clause((Phrase(("renault",)),)),
        Clause((Phrase(("cleon",)),)),
    )
    assert to_fts5(parsed) == '(("renault") AND ("cleon"))'
    assert to_tsquery(parsed) == "(('renault')) & (('cleon'))"


def test_quotes_make_a_phrase_and_an_unclosed_quote_runs_to_the_end():
    assert words('"supply chain" parts "electric vehicles') == [
        ([(("supply", "chain"), False)], False),
        ([(("parts",), False)], False),
        ([(("electric", "vehicles"), False)], False),
    ]
    assert to_tsquery(parse_query('"supply chain"')) == "(('supply' <-> 'chain'))"


def test_a_trailing_star_matches_the_start_of_a_word():
    parsed = parse_query("batter* electric")

    assert words("batter* electric") == [
        ([(("batter",), True)], False),
        ([(("electric",), False)], False),
    ]
    assert to_fts5(parsed) == '(("batter"*) AND ("electric"))'
    assert to_tsquery(parsed) == "(('batter':*)) & (('electric'))"


def test_a_one_letter_prefix_is_searched_as_a_word():
    assert words("a*") == [([(("a",), False)], False)]


def test_or_joins_alternatives_and_a_minus_excludes():
    parsed = parse_query('geely OR ford -tariff -"price war"')

    assert words('geely OR ford -tariff -"price war"') == [
        ([(("geely",), False), (("ford",), False)], False),
        ([(("tariff",), False)], True),
        ([(("price", "war"), False)], True),
    ]
    assert to_fts5(parsed) == ('(("geely" OR "ford")) NOT ("tariff") NOT ("price war")')
    assert to_tsquery(parsed) == (
        "(('geely') | ('ford')) & !(('tariff')) & !(('price' <-> 'war'))"
    )


@pytest.mark.parametrize("query", ["OR", "OR ford", "ford OR", "-ford OR geely"])
def test_a_stray_or_is_ignored(query):
    assert all(
        len(clause.alternatives) == 1 for clause in parse_query(query).clauses
    ), query


@pytest.mark.parametrize(
    "query", ["", "   ", "-renault", '""', "!!! ??? ***", "😀🚗", "\x00\x01", "-"]
)
def test_a_query_with_nothing_to_look_for_is_empty(query):
    assert not parse_query(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NEAR(renault ford)", [("near", "renault"), ("ford",)]),
        ("headline:renault", [("headline", "renault")]),
        (
            "'; DROP TABLE articles_article; --",
            [("drop",), ("table",), ("articles", "article")],
        ),
        ("e-mail U.S. co2", [("e", "mail"), ("u", "s"), ("co2",)]),
        ("renault\x00cleon", [("renault", "cleon")]),
        ("Brandstätter 中国 😀", [("brandstätter",), ("中国",)]),
        ("AND OR NOT", [("and",), ("not",)]),
        ("^renault +ford ~geely", [("renault",), ("ford",), ("geely",)]),
    ],
)
def test_operators_of_either_database_are_only_separators(query, expected):
    parsed = parse_query(query)

    assert [
        phrase.words for clause in parsed.clauses for phrase in clause.alternatives
    ][: len(expected)] == expected
    assert_only_words_reach_the_database(parsed)


WORDS = r"[^\W_]+(?: [^\W_]+)*"


def assert_only_words_reach_the_database(parsed) -> None:
    """Between quotes only letters and digits; outside them only our operators."""
    fts5 = to_fts5(parsed)
    assert all(re.fullmatch(WORDS, quoted) for quoted in re.findall(r'"([^"]*)"', fts5))
    assert re.fullmatch(r"[()* ]*|(?:[()* ]|AND|OR|NOT)+", re.sub(r'"[^"]*"', "", fts5))
    tsquery = to_tsquery(parsed)
    assert all(
        re.fullmatch(r"[^\W_]+", word) for word in re.findall(r"'([^']*)'", tsquery)
    )
    assert re.fullmatch(r"[()&|!<\-> :*]*", re.sub(r"'[^']*'", "", tsquery))


def test_a_huge_query_is_cut_and_says_so():
    parsed = parse_query("renault " * 2000)

    assert parsed.truncated
    assert len(parsed.clauses) == MAX_CLAUSES
    assert not parse_query("renault " * (MAX_QUERY_CHARACTERS // 10)).truncated


def test_overlong_words_are_dropped():
    assert words("x" * 65 + " renault") == [([(("renault",), False)], False)]
