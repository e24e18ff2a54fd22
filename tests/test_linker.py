import pytest

from entities.linker import Gazetteer, link_article
from entities.models import Mention
from tests import factories


def gazetteer(**names: int) -> Gazetteer:
    return Gazetteer.from_names(names)


def test_longest_name_wins_over_a_shorter_one_inside_it():
    found = gazetteer(**{"Volkswagen Group": 1, "Volkswagen": 2}).find(
        "The Volkswagen Group said Volkswagen would grow."
    )

    assert found == {1: 1, 2: 1}


def test_whole_words_only_and_possessives_count():
    found = gazetteer(Ford=1, China=2).find(
        "Fordham is not Ford; China's market and Chinas typo."
    )

    assert found == {1: 1, 2: 1}


def test_unicode_names_match():
    found = gazetteer(**{"Ralf Brandstätter": 7}).find("Ralf Brandstätter spoke.")

    assert found == {7: 1}


def test_empty_gazetteer_finds_nothing():
    assert gazetteer().find("Anything at all") == {}


@pytest.mark.django_db
def test_link_article_records_counts_from_headline_dek_and_body():
    renault = factories.entity(name="Renault")
    factories.alias(renault, "Groupe Renault")
    article = factories.article(
        headline="Renault builds engines",
        dek="Groupe Renault expands.",
        body="Renault said so.",
    )

    link_article(article)

    mention = Mention.objects.get(article=article)
    assert (mention.entity, mention.count, mention.status) == (
        renault,
        3,
        Mention.Status.CONFIRMED,
    )


@pytest.mark.django_db
def test_relinking_keeps_editor_decisions_and_drops_vanished_mentions():
    geely = factories.entity(name="Geely")
    ford = factories.entity(name="Ford")
    article = factories.article(headline="Ford and Geely", body="Ford talks.")
    link_article(article)
    Mention.objects.filter(entity=geely).update(status=Mention.Status.REJECTED)

    article.headline = "Talks"
    article.body = "Geely talks. Geely again."
    article.save()
    link_article(article)

    mentions = {m.entity: m for m in Mention.objects.filter(article=article)}
    assert set(mentions) == {geely}
    assert mentions[geely].status == Mention.Status.REJECTED
    assert mentions[geely].count == 2
    assert ford not in mentions
