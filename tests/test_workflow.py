"""The editorial workflow: roles, steps, schedules, revisions, previews, safe saves."""

import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import previews, publishing, revisions
from articles.models import (
    Article,
    ArticleSlugRedirect,
    Author,
    Tag,
    Transition,
)
from articles.templatetags.article_admin import IndexedDates
from entities.models import Mention
from tests import factories
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

Status = Article.Status


# --- People ---------------------------------------------------------------------------


def staff(username: str, role: str, *, full_name: str = "") -> User:
    first, _, last = (full_name or username.title()).partition(" ")
    user = User.objects.create_user(
        username, password="not-used", is_staff=True, first_name=first, last_name=last
    )
    user.groups.add(Group.objects.get(name=role))
    Author.objects.create(name=full_name or username.title(), slug=username, user=user)
    return user


@pytest.fixture
def writer() -> User:
    return staff("wendy", "Writer", full_name="Wendy Writer")


@pytest.fixture
def other_writer() -> User:
    return staff("oscar", "Writer", full_name="Oscar Other")


@pytest.fixture
def editor() -> User:
    return staff("edith", "Editor", full_name="Edith Editor")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft_by(user: User, **fields) -> Article:
    fields.setdefault("status", Status.DRAFT)
    article = factories.article(created_by=user, **fields)
    revisions.save_revision(article, user=user, comment="Created.")
    return article


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def open_form(client: Client, article: Article) -> dict:
    response = client.get(change_url(article))
    assert response.status_code == 200
    return form_data(response.content.decode())


def form_errors(response) -> list:
    if response.context is None or "adminform" not in response.context:
        return []
    return response.context["adminform"].form.non_field_errors()


# --- 1. Roles -------------------------------------------------------------------------


def test_the_roles_exist_with_their_permissions():
    writer = Group.objects.get(name="Writer")
    editor = Group.objects.get(name="Editor")
    writer_perms = set(writer.permissions.values_list("codename", flat=True))
    editor_perms = set(editor.permissions.values_list("codename", flat=True))

    assert {"add_article", "change_article", "view_article"} <= writer_perms
    assert "publish_article" not in writer_perms
    assert "delete_article" not in writer_perms
    assert {"publish_article", "delete_article", "change_entity"} <= editor_perms


def test_a_writer_edits_their_own_draft_but_nothing_else(writer, other_writer, editor):
    own = draft_by(writer)
    others = draft_by(other_writer)
    in_review = draft_by(writer, status=Status.REVIEW)
    published = factories.article(created_by=writer)

    assert publishing.can_edit(writer, own)
    for article in (others, in_review, published):
        assert not publishing.can_edit(writer, article)
    for article in (own, others, in_review, published):
        assert publishing.can_edit(editor, article)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.REVIEW, "publish"),
        (Status.PUBLISHED, "withdraw"),
        (Status.WITHDRAWN, "redraft"),
    ],
)
def test_a_writer_can_never_publish_withdraw_or_redraft(writer, status, action):
    article = draft_by(writer, status=status, published_at=timezone.now())

    with pytest.raises(PermissionDenied):
        publishing.transition(article, action, user=writer)

    article.refresh_from_db()
    assert article.status == status
    assert not Transition.objects.exists()


def test_a_writer_cannot_submit_someone_elses_draft(writer, other_writer):
    article = draft_by(other_writer)

    with pytest.raises(PermissionDenied):
        publishing.transition(article, "submit", user=writer)


def test_only_an_editor_sends_a_submission_back_to_draft(writer, editor):
    article = draft_by(writer, status=Status.REVIEW)

    with pytest.raises(PermissionDenied):
        publishing.transition(article, "send_back", user=writer)
    publishing.transition(article, "send_back", user=editor, note="Needs a source.")

    assert article.status == Status.DRAFT


@pytest.mark.parametrize("state", ["others_draft", "own_review", "published"])
def test_a_writers_crafted_post_to_an_article_they_may_not_edit_is_refused(
    writer, other_writer, editor, state
):
    article = {
        "others_draft": lambda: draft_by(other_writer),
        "own_review": lambda: draft_by(writer, status=Status.REVIEW),
        "published": lambda: factories.article(created_by=writer),
    }[state]()
    data = open_form(logged_in(editor), article)
    data["headline"] = "Rewritten by a writer"

    response = logged_in(writer).post(change_url(article), data)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline != "Rewritten by a writer"


def test_a_writer_sees_their_article_read_only_once_submitted(writer):
    article = draft_by(writer, status=Status.REVIEW)

    response = logged_in(writer).get(change_url(article))

    assert response.status_code == 200
    assert 'name="headline"' not in response.content.decode()
    assert response.context["workflow_steps"] == []


def test_a_writers_form_has_no_publishing_controls(writer):
    article = draft_by(writer)

    response = logged_in(writer).get(change_url(article))
    page = response.content.decode()

    assert 'name="published_at_0"' not in page
    assert 'name="expires_at_0"' not in page
    assert 'value="submit"' in page
    assert 'value="publish"' not in page


def test_a_writer_cannot_publish_or_schedule_by_crafted_post(writer):
    article = draft_by(writer)
    client = logged_in(writer)
    data = open_form(client, article)
    future = timezone.now() + datetime.timedelta(days=1)
    data |= {
        "_transition": "publish",
        "status": Status.PUBLISHED,
        "published_at_0": f"{future:%Y-%m-%d}",
        "published_at_1": "10:00:00",
        "headline": "Sneaked out",
    }

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "You do not have permission to publish this article." in str(
        form_errors(response)
    )
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.DRAFT, None)
    assert article.headline != "Sneaked out"


def test_a_writers_post_cannot_set_status_or_time_even_on_a_plain_save(writer):
    article = draft_by(writer)
    client = logged_in(writer)
    data = open_form(client, article) | {
        "status": Status.PUBLISHED,
        "published_at_0": "2026-01-01",
        "published_at_1": "10:00:00",
    }

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.DRAFT, None)


def test_the_bulk_publish_action_is_hidden_from_writers_and_refused_if_posted(
    writer, editor
):
    article = draft_by(writer, status=Status.REVIEW)
    changelist = reverse("admin:articles_article_changelist")
    client = logged_in(writer)

    actions = client.get(changelist).context["action_form"].fields["action"].choices
    names = [name for name, _ in actions]
    assert "submit_selected" in names
    assert "publish_selected" not in names
    assert "withdraw_selected" not in names
    assert "delete_selected" not in names

    client.post(
        changelist, {"action": "publish_selected", "_selected_action": [article.pk]}
    )

    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_a_writer_cannot_delete_an_article(writer):
    article = draft_by(writer)

    response = logged_in(writer).post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_a_new_article_by_a_writer_is_their_draft_with_their_byline(writer):
    client = logged_in(writer)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    section = factories.section()
    data = form_data(page) | {
        "headline": "A writer's first story",
        "slug": "a-writers-first-story",
        "section": str(section.pk),
        "body": "Words.",
        "_transition": "submit",
        "transition_note": "Ready when you are.",
    }

    response = client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="a-writers-first-story")
    assert article.created_by == writer
    assert article.status == Status.REVIEW
    assert [byline.author.user for byline in article.bylines.all()] == [writer]
    step = article.transitions.get()
    assert (step.user, step.note) == (writer, "Ready when you are.")


# --- 2. States and transitions --------------------------------------------------------


def test_the_whole_path_is_recorded_and_shown(writer, editor):
    article = draft_by(writer)

    publishing.transition(article, "submit", user=writer, note="First draft done.")
    publishing.transition(article, "publish", user=editor)
    publishing.transition(article, "withdraw", user=editor, note="Legal hold.")
    publishing.transition(article, "redraft", user=editor)

    steps = list(article.transitions.order_by("created_at", "pk"))
    assert [(s.from_status, s.to_status, s.user) for s in steps] == [
        (Status.DRAFT, Status.REVIEW, writer),
        (Status.REVIEW, Status.PUBLISHED, editor),
        (Status.PUBLISHED, Status.WITHDRAWN, editor),
        (Status.WITHDRAWN, Status.DRAFT, editor),
    ]
    assert steps[0].note == "First draft done."
    assert steps[1].published_at is not None
    page = logged_in(editor).get(change_url(article)).content.decode()
    assert "Legal hold." in page
    assert "Published → Withdrawn" in page


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.DRAFT, "publish"),
        (Status.DRAFT, "withdraw"),
        (Status.PUBLISHED, "submit"),
        (Status.REVIEW, "redraft"),
        (Status.WITHDRAWN, "publish"),
    ],
)
def test_an_invalid_step_is_refused_and_changes_nothing(editor, status, action):
    article = draft_by(editor, status=status, published_at=timezone.now())
    before = Article.objects.values().get(pk=article.pk)

    with pytest.raises(publishing.TransitionError, match="only an article that is"):
        publishing.transition(article, action, user=editor)

    assert Article.objects.values().get(pk=article.pk) == before
    assert not Transition.objects.exists()


def test_an_unknown_step_is_a_clear_error(editor):
    article = draft_by(editor)

    with pytest.raises(publishing.TransitionError, match="“launch” is not"):
        publishing.transition(article, "launch", user=editor)


def test_an_invalid_step_posted_in_the_admin_is_a_form_error(editor):
    article = draft_by(editor)
    client = logged_in(editor)
    data = open_form(client, article) | {"_transition": "publish", "headline": "New"}

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "only an article that is in review can be published" in str(
        form_errors(response)
    )
    article.refresh_from_db()
    assert article.headline != "New"


def test_an_editor_publishes_from_the_form_in_one_step(editor):
    article = draft_by(editor, status=Status.REVIEW)
    client = logged_in(editor)
    data = open_form(client, article) | {"_transition": "publish"}

    response = client.post(change_url(article), data, follow=True)

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.is_live
    assert "Published: “" in response.content.decode()


def test_bulk_actions_report_per_article_what_happened(editor):
    ready = draft_by(editor, headline="Ready story", status=Status.REVIEW)
    unready = draft_by(editor, headline="Unready story")
    changelist = reverse("admin:articles_article_changelist")

    response = logged_in(editor).post(
        changelist,
        {"action": "publish_selected", "_selected_action": [ready.pk, unready.pk]},
        follow=True,
    )

    texts = [str(message) for message in response.context["messages"]]
    assert "Published: “Ready story”." in texts
    assert any(
        text.startswith("Not changed: “Unready story”.") and "is draft" in text
        for text in texts
    )
    ready.refresh_from_db()
    unready.refresh_from_db()
    assert (ready.status, unready.status) == (Status.PUBLISHED, Status.DRAFT)


def test_bulk_submit_by_a_writer_submits_only_their_own_drafts(writer, other_writer):
    own = draft_by(writer, headline="Mine")
    others = draft_by(other_writer, headline="Theirs")

    logged_in(writer).post(
        reverse("admin:articles_article_changelist"),
        {"action": "submit_selected", "_selected_action": [own.pk, others.pk]},
    )

    own.refresh_from_db()
    others.refresh_from_db()
    assert (own.status, others.status) == (Status.REVIEW, Status.DRAFT)


# --- 3. Scheduling and expiry ---------------------------------------------------------

MOMENT = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
EARLIER = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def public_urls(article: Article) -> list[str]:
    tag = Tag.objects.get(name="Automotive Industry")
    article.tags.add(tag)
    author = factories.author()
    factories.byline(article, author)
    return [
        reverse("articles:home"),
        article.section.get_absolute_url(),
        tag.get_absolute_url(),
        author.get_absolute_url(),
    ]


def shows(client: Client, url: str, article: Article) -> bool:
    response = client.get(url)
    return article.headline in response.content.decode()


def test_a_scheduled_article_goes_live_at_its_moment_everywhere(editor):
    with time_machine.travel(MOMENT - datetime.timedelta(days=1), tick=False):
        article = draft_by(editor, headline="The scheduled one", status=Status.REVIEW)
        publishing.transition(article, "publish", user=editor, publish_at=MOMENT)
        pinning = factories.article(headline="Pinning story")
        factories.pin(pinning, article)
    lists = public_urls(article)
    client = Client()

    with time_machine.travel(MOMENT - SECOND, tick=False):
        assert article.state == Article.State.SCHEDULED
        assert client.get(article.get_absolute_url()).status_code == 404
        assert not any(shows(client, url, article) for url in lists)
        assert not shows(client, pinning.get_absolute_url(), article)

    with time_machine.travel(MOMENT, tick=False):
        assert article.state == Article.State.LIVE
        assert client.get(article.get_absolute_url()).status_code == 200
        assert all(shows(client, url, article) for url in lists)
        assert shows(client, pinning.get_absolute_url(), article)


def test_an_article_expires_at_its_moment_everywhere(editor):
    with time_machine.travel(MOMENT - datetime.timedelta(days=2), tick=False):
        article = factories.article(
            headline="The expiring one",
            published_at=timezone.now(),
            expires_at=MOMENT,
        )
    lists = public_urls(article)
    client = Client()

    with time_machine.travel(MOMENT - SECOND, tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200
        assert all(shows(client, url, article) for url in lists)

    with time_machine.travel(MOMENT, tick=False):
        assert article.state == Article.State.EXPIRED
        assert client.get(article.get_absolute_url()).status_code == 404
        assert not any(shows(client, url, article) for url in lists)
        assert not Article.objects.live().filter(pk=article.pk).exists()


def test_publishing_with_an_expiry_before_the_time_is_refused(editor):
    article = draft_by(
        editor,
        status=Status.REVIEW,
        published_at=MOMENT,
        expires_at=MOMENT + SECOND,
    )

    with pytest.raises(publishing.TransitionError, match="expiry"):
        publishing.transition(
            article, "publish", user=editor, publish_at=MOMENT + 2 * SECOND
        )


@pytest.mark.parametrize(
    ("state", "fields"),
    [
        ("scheduled", {"published_at": MOMENT + datetime.timedelta(days=30)}),
        ("live", {}),
        (
            "expired",
            {
                "published_at": MOMENT - datetime.timedelta(days=30),
                "expires_at": MOMENT - datetime.timedelta(days=1),
            },
        ),
        ("review", {"status": Status.REVIEW}),
    ],
)
def test_the_state_filter_finds_each_state(editor, state, fields):
    with time_machine.travel(MOMENT, tick=False):
        wanted = factories.article(headline="Wanted", **fields)
        factories.article(headline="Other", status=Status.WITHDRAWN)

        response = logged_in(editor).get(
            reverse("admin:articles_article_changelist"), {"state": state}
        )

    assert list(response.context["cl"].result_list) == [wanted]


# --- 4. Revisions ---------------------------------------------------------------------


def test_every_admin_change_is_a_revision_even_of_related_objects_only(editor):
    article = draft_by(editor, body="Original body.")
    entity = factories.entity(name="Renault")
    factories.mention(article, entity, status=Mention.Status.CONFIRMED)
    client = logged_in(editor)
    tag = Tag.objects.get(name="International Trade")

    data = open_form(client, article) | {"tags": [str(tag.pk)]}
    assert client.post(change_url(article), data).status_code == 302
    data = open_form(client, article)
    data["mentions-0-status"] = Mention.Status.REJECTED
    assert client.post(change_url(article), data).status_code == 302
    data = open_form(client, article)
    assert client.post(change_url(article), data).status_code == 302  # no change

    versions = list(revisions.versions_of(article))
    assert [version.revision.comment for version in versions] == [
        "Changed mentions.",
        "Changed tags.",
        "Created.",
    ]
    assert revisions.snapshot(versions[1]).tag_names == ["International Trade"]
    assert revisions.snapshot(versions[0]).entity_decisions == ["Renault (rejected)"]
    assert revisions.snapshot(versions[2]).tag_names == []
    assert all(version.revision.user == editor for version in versions)


def edit(article: Article, user: User, **fields) -> Version:
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    revisions.save_revision(article, user=user, comment="Edited.")
    return revisions.versions_of(article).first()


def test_the_history_shows_revisions_and_a_readable_diff(editor):
    article = draft_by(editor, headline="Cars <em>sold</em>", body="Sales rose.")
    first = revisions.versions_of(article).first()
    second = edit(article, editor, headline="Cars sold fast", body="Sales fell.")
    client = logged_in(editor)

    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200
    assert len(history.context["versions"]) == 2

    response = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": second.pk, "to": first.pk},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<del>rose</del><ins>fell</ins>" in page
    assert "&lt;em&gt;" in page  # the old headline's markup is shown, escaped
    assert "<em>sold" not in page


def test_comparing_with_a_foreign_or_missing_revision_is_a_clear_error(editor):
    article = draft_by(editor)
    other = draft_by(editor)
    foreign = revisions.versions_of(other).first()
    url = reverse("admin:articles_article_compare", args=[article.pk])

    for query in [{"from": foreign.pk, "to": foreign.pk}, {"from": "x"}, {}]:
        response = logged_in(editor).get(url, query, follow=True)
        texts = [str(message) for message in response.context["messages"]]
        assert any("Choose two revisions" in text for text in texts)


def test_revert_restores_content_and_is_itself_a_revision(editor):
    article = draft_by(editor, headline="First headline", body="First body.")
    tag = Tag.objects.get(name="International Trade")
    article.tags.add(tag)
    author = factories.author(name="First Author")
    factories.byline(article, author)
    target = factories.article(headline="Pinned")
    factories.pin(article, target)
    entity = factories.entity()
    mention = factories.mention(article, entity, status=Mention.Status.CONFIRMED)
    first = edit(article, editor)

    article.tags.clear()
    article.bylines.all().delete()
    article.read_next_pins.all().delete()
    mention.status = Mention.Status.REJECTED
    mention.save()
    edit(article, editor, headline="Second headline", body="Second body.")
    client = logged_in(editor)
    url = reverse("admin:articles_article_revert", args=[article.pk, first.pk])

    confirm = client.get(url)
    assert "Second headline" in confirm.content.decode()
    response = client.post(url)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.body) == ("First headline", "First body.")
    assert list(article.tags.all()) == [tag]
    assert [byline.author for byline in article.bylines.all()] == [author]
    assert [pin.target for pin in article.read_next_pins.all()] == [target]
    mention.refresh_from_db()
    assert mention.status == Mention.Status.CONFIRMED
    versions = list(revisions.versions_of(article))
    assert versions[0].revision.comment.startswith("Reverted to the revision of")
    assert revisions.snapshot(versions[1]).article.headline == "Second headline"
    assert article.status == Status.DRAFT


def test_revert_keeps_the_workflow_state(editor):
    article = draft_by(editor, headline="Old words", status=Status.REVIEW)
    old = revisions.versions_of(article).first()
    publishing.transition(article, "publish", user=editor)

    revisions.revert(article, old, user=editor)

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED


def test_revert_to_a_slug_now_taken_is_refused_and_changes_nothing(editor):
    article = draft_by(editor, slug="first-slug", headline="One")
    old = revisions.versions_of(article).first()
    edit(article, editor, slug="second-slug", headline="Two")
    factories.article(slug="first-slug")

    with pytest.raises(revisions.RevertError, match="first-slug"):
        revisions.revert(article, old, user=editor)

    article.refresh_from_db()
    assert (article.slug, article.headline) == ("second-slug", "Two")


def test_a_writer_cannot_revert_an_article_they_may_not_edit(writer, editor):
    article = draft_by(editor, status=Status.REVIEW)
    version = revisions.versions_of(article).first()
    url = reverse("admin:articles_article_revert", args=[article.pk, version.pk])

    assert logged_in(writer).post(url).status_code == 403


# --- 5. No lost edits -----------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_its_text(editor):
    article = draft_by(editor, body="The original text.")
    colleague = staff("carl", "Editor", full_name="Carl Colleague")
    first, second = logged_in(colleague), logged_in(editor)
    first_form = open_form(first, article)
    second_form = open_form(second, article)

    saved = first.post(change_url(article), first_form | {"body": "Carl's text."})
    assert saved.status_code == 302
    refused = second.post(change_url(article), second_form | {"body": "Edith's text."})

    assert refused.status_code == 200
    errors = str(form_errors(refused))
    assert "Carl Colleague saved this article at" in errors
    article.refresh_from_db()
    assert f"{timezone.localtime(article.revised_at):%H:%M:%S}" in errors
    assert "Edith&#x27;s text." in refused.content.decode()
    assert article.body == "Carl's text."


def test_a_workflow_step_taken_meanwhile_also_makes_an_open_form_stale(editor):
    article = draft_by(editor, status=Status.REVIEW)
    client = logged_in(editor)
    stale_form = open_form(client, article)
    publishing.transition(article, "publish", user=editor)

    response = client.post(change_url(article), stale_form | {"headline": "Late"})

    assert response.status_code == 200
    assert "saved this article at" in str(form_errors(response))


def test_a_post_without_the_version_it_was_opened_at_is_refused(editor):
    article = draft_by(editor)
    client = logged_in(editor)
    data = open_form(client, article)
    del data["loaded_version"]

    response = client.post(change_url(article), data | {"headline": "Blind"})

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.headline != "Blind"


# --- 6. Previews ----------------------------------------------------------------------


def assert_is_preview(response, headline: str) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    assert headline in page
    assert 'class="preview-banner"' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert "noindex" in response["X-Robots-Tag"]


def test_any_revision_of_a_draft_previews_on_the_public_template(writer):
    article = draft_by(writer, headline="Draft headline one")
    old = revisions.versions_of(article).first()
    edit(article, writer, headline="Draft headline two")
    client = logged_in(writer)

    response = client.get(
        reverse("admin:articles_article_preview", args=[article.pk, old.pk])
    )

    assert_is_preview(response, "Draft headline one")
    assert "Draft headline two" not in response.content.decode()
    assert "articles/article_detail.html" in [t.name for t in response.templates]


def test_admin_previews_need_a_login(writer):
    article = draft_by(writer)
    version = revisions.versions_of(article).first()

    response = Client().get(
        reverse("admin:articles_article_preview", args=[article.pk, version.pk])
    )

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def share(client: Client, article: Article, version: Version, **data):
    return client.post(
        reverse("admin:articles_article_share", args=[article.pk, version.pk]), data
    )


def test_a_share_link_shows_one_revision_to_anyone_until_it_expires(editor):
    article = draft_by(editor, headline="Shared draft")
    version = revisions.versions_of(article).first()
    with time_machine.travel(MOMENT, tick=False):
        response = share(logged_in(editor), article, version)
    url = response.context["share_url"]
    edit(article, editor, headline="Edited later")

    with time_machine.travel(MOMENT + datetime.timedelta(hours=47), tick=False):
        assert_is_preview(Client().get(url), "Shared draft")
    with time_machine.travel(MOMENT + datetime.timedelta(hours=48), tick=False):
        assert Client().get(url).status_code == 404


def test_a_share_link_lasts_as_long_as_the_editor_chose(editor, settings):
    settings.NEWSROOM_PREVIEW_LINK_HOURS = 2
    article = draft_by(editor)
    version = revisions.versions_of(article).first()
    with time_machine.travel(MOMENT, tick=False):
        default = share(logged_in(editor), article, version).context["share_url"]
        chosen = share(logged_in(editor), article, version, hours="5").context[
            "share_url"
        ]

    with time_machine.travel(MOMENT + datetime.timedelta(hours=3), tick=False):
        assert Client().get(default).status_code == 404
        assert Client().get(chosen).status_code == 200


def test_a_share_link_with_a_bad_lifetime_is_refused_with_a_message(editor):
    article = draft_by(editor)
    version = revisions.versions_of(article).first()

    response = share(logged_in(editor), article, version, hours="99999")

    assert response.status_code == 302
    assert "at most 30 days" in str(list(response.wsgi_request._messages))


def test_forged_and_mismatched_share_links_answer_404(editor):
    article = draft_by(editor)
    first = revisions.versions_of(article).first()
    second = edit(article, editor, headline="Again")
    path, _ = previews.share_path(first)
    token = path.rstrip("/").rsplit("/", 1)[1]
    expires = int((timezone.now() + datetime.timedelta(hours=1)).timestamp())
    other_article = draft_by(editor)
    foreign_version = revisions.versions_of(other_article).first()
    wrong_article = signing.dumps(
        {"article": article.pk, "version": foreign_version.pk, "expires": expires},
        salt=previews.SALT,
    )
    wrong_salt = signing.dumps(
        {"article": article.pk, "version": first.pk, "expires": expires}
    )

    def preview(version_id: int, token: str) -> int:
        url = reverse("preview", kwargs={"version_id": version_id, "token": token})
        return Client().get(url).status_code

    assert preview(first.pk, token) == 200
    assert preview(second.pk, token) == 404  # a token for another revision
    assert preview(first.pk, token[:-2] + "xx") == 404  # tampered
    assert preview(foreign_version.pk, wrong_article) == 404
    assert preview(first.pk, wrong_salt) == 404
    assert preview(first.pk, "nonsense") == 404


def test_only_editors_create_share_links(writer):
    article = draft_by(writer)
    version = revisions.versions_of(article).first()

    assert share(logged_in(writer), article, version).status_code == 403


# --- 7. Stable URLs -------------------------------------------------------------------


def test_every_old_url_of_a_published_article_redirects_to_the_current_one(editor):
    article = factories.article(slug="first-slug", published_at=EARLIER)
    urls = [article.get_absolute_url()]
    for slug in ["second-slug", "third-slug"]:
        article.slug = slug
        article.save()
        urls.append(article.get_absolute_url())
    article.section = factories.section(slug="elsewhere")
    article.published_at = EARLIER + datetime.timedelta(days=3)
    article.save()
    current = article.get_absolute_url()

    for url in urls:
        response = Client().get(url)
        assert (response.status_code, response["Location"]) == (301, current)
    assert Client().get(current).status_code == 200


def test_a_draft_slug_change_leaves_no_redirect():
    article = factories.article(slug="draft-slug", status=Status.DRAFT)
    article.slug = "final-slug"
    article.save()

    assert not ArticleSlugRedirect.objects.exists()


def test_a_new_article_may_take_an_old_slug_and_then_answers_for_it():
    moved = factories.article(slug="shared-slug")
    moved.slug = "moved-slug"
    moved.save()
    newcomer = factories.article(slug="shared-slug")

    response = Client().get(newcomer.get_absolute_url())

    assert response.status_code == 200
    assert newcomer.headline in response.content.decode()
    assert not ArticleSlugRedirect.objects.filter(old_slug="shared-slug").exists()


# --- 8. Corrections and updates -------------------------------------------------------


def test_a_correction_marks_the_article_updated_with_its_date():
    article = factories.article(published_at=EARLIER - datetime.timedelta(days=2))
    factories.correction(article, note="The figure was 12, not 21.", created_at=EARLIER)

    page = Client().get(article.get_absolute_url()).content.decode()

    article.refresh_from_db()
    assert article.updated_at == EARLIER
    assert article.date_modified == EARLIER
    assert re.search(r"Updated <time datetime=\"2026-11-01T09:00:00\+00:00\">", page)
    assert "The figure was 12, not 21." in page


def test_updated_at_moves_on_real_edits_of_live_text_only():
    article = factories.article(published_at=EARLIER - datetime.timedelta(days=2))
    article.refresh_from_db()
    assert article.updated_at is None

    with time_machine.travel(EARLIER, tick=False):
        article.hero_image_credit = "Agency"
        article.save()
        assert article.updated_at is None
        article.body += "\n\nOne more paragraph."
        article.save()
    article.refresh_from_db()

    assert article.updated_at == EARLIER
    assert article.was_updated


def test_editing_a_draft_does_not_count_as_an_update():
    article = factories.article(status=Status.DRAFT)
    article.refresh_from_db()
    article.body = "Rewritten before anyone read it."
    article.save()

    assert article.updated_at is None


# --- 9. Admin for a busy newsroom -----------------------------------------------------


def test_the_mine_filter_lists_what_i_started_or_write(writer, other_writer):
    started = draft_by(writer, headline="Started by me")
    bylined = draft_by(other_writer, headline="Written by me")
    factories.byline(bylined, Author.objects.get(user=writer))
    draft_by(other_writer, headline="Not mine")

    response = logged_in(writer).get(
        reverse("admin:articles_article_changelist"), {"mine": "1"}
    )

    assert set(response.context["cl"].result_list) == {started, bylined}


def test_the_changelist_searches_the_body_and_filters_by_author(editor):
    needle = factories.article(body="A paragraph about cobalt refining.")
    factories.article(body="Nothing of note.")
    author = factories.author()
    factories.byline(needle, author)
    url = reverse("admin:articles_article_changelist")
    client = logged_in(editor)

    searched = client.get(url, {"q": "cobalt"}).context["cl"].result_list
    by_author = client.get(url, {"bylines__author__id__exact": author.pk})

    assert list(searched) == [needle]
    assert list(by_author.context["cl"].result_list) == [needle]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_indexed_date_hierarchy_finds_the_same_periods_as_django(
    settings, zone, kind
):
    settings.TIME_ZONE = zone
    moments = [
        datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 1, 1, 2, 0, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 15, 12, 0, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 15, 13, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 2, 28, 15, 0, tzinfo=datetime.UTC),
    ]
    for moment in moments:
        factories.article(published_at=moment)
    factories.article(status=Status.DRAFT)
    articles = Article.objects.all()

    with timezone.override(zone):
        indexed = IndexedDates(articles).datetimes("published_at", kind)
        expected = list(articles.datetimes("published_at", kind))

    assert indexed == expected


def test_the_changelist_drills_down_by_date(editor):
    factories.article(headline="November story", published_at=EARLIER)
    factories.article(
        headline="Older story", published_at=EARLIER - datetime.timedelta(days=400)
    )
    url = reverse("admin:articles_article_changelist")
    client = logged_in(editor)

    top = client.get(url).content.decode()
    month = client.get(url, {"published_at__year": "2026", "published_at__month": "11"})

    assert "published_at__year=2025" in top and "published_at__year=2026" in top
    assert [a.headline for a in month.context["cl"].result_list] == ["November story"]
    assert "published_at__day=1" in month.content.decode()


def test_create_staff_makes_a_writer_with_a_byline():
    output = StringIO()

    call_command(
        "create_staff", "mara", role="writer", name="Mara Ellison", stdout=output
    )

    user = User.objects.get(username="mara")
    password = output.getvalue().split("password: ")[1].split()[0]
    assert user.check_password(password)
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Writer"]
    assert user.author.name == "Mara Ellison"
    assert logged_in(user).get(reverse("admin:articles_article_add")).status_code == 200


def test_create_staff_links_an_existing_author_and_refuses_duplicates():
    author = factories.author(name="Tomas Reyes", slug="tomas-reyes")
    call_command(
        "create_staff", "tomas", role="editor", name="Tomas Reyes", stdout=StringIO()
    )
    author.refresh_from_db()
    assert author.user.username == "tomas"

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_staff", "tomas", role="writer", stdout=StringIO())
    with pytest.raises(CommandError, match="already belongs"):
        call_command("create_staff", "other", role="writer", name="Tomas Reyes")
    assert not User.objects.filter(username="other").exists()
