"""Webhooks: events written with the change, delivered signed, retried, recorded."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import publishing, recommendations
from articles.models import Article
from partners.models import Partner
from tests import factories
from webhooks import delivery, signing
from webhooks.models import Attempt, Delivery, Endpoint, Event, validate_endpoint_url

pytestmark = pytest.mark.django_db

Status = Article.Status
PUBLISHED, UPDATED, WITHDRAWN = (
    "article.published",
    "article.updated",
    "article.withdrawn",
)


class Receiver:
    """A partner's endpoint on 127.0.0.1 that records what it is sent."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[int] = []  # status codes to give, in order; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "path": self.path}
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[str]:
        return [json.loads(request["body"])["event"] for request in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="Wire Partner")


@pytest.fixture
def endpoint(partner, receiver) -> Endpoint:
    return Endpoint.objects.create(
        partner=partner, url=receiver.url, events=[PUBLISHED, UPDATED, WITHDRAWN]
    )


@pytest.fixture
def editor() -> User:
    user = User.objects.create_user("edith", password="not-used", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def in_review(**fields) -> Article:
    return factories.article(status=Status.REVIEW, **fields)


def live_before_subscribing() -> Article:
    """A live article whose publication is not what the test is about."""
    article = factories.article()
    Event.objects.filter(article_id=article.pk).delete()
    return article


def deliver() -> delivery.Report:
    return delivery.deliver_due(limit=100)


# --- Events are written with the change -----------------------------------------------


def test_publishing_sends_a_signed_event(endpoint, receiver, editor):
    article = in_review(headline="Renault opens a plant")
    publishing.transition(article, "publish", user=editor)

    report = deliver()

    assert report.delivered == 1
    [request] = receiver.requests
    payload = json.loads(request["body"])
    assert payload["event"] == PUBLISHED
    assert payload["article"]["slug"] == article.slug
    assert payload["article"]["headline"] == "Renault opens a plant"
    assert payload["article"]["url"].endswith(article.get_absolute_url())
    assert request["headers"]["Newsroom-Event"] == PUBLISHED
    assert signing.verify(
        endpoint.secret, request["headers"][signing.HEADER], request["body"]
    )
    assert not signing.verify(
        "another secret", request["headers"][signing.HEADER], request["body"]
    )
    [attempt] = Attempt.objects.all()
    assert attempt.status_code == 200
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


def test_drafts_and_reviews_send_nothing(endpoint, receiver, editor):
    article = factories.article(status=Status.DRAFT)
    article.headline = "Still a draft"
    article.save()
    publishing.transition(article, "submit", user=editor)

    assert Event.objects.count() == 0
    assert deliver().handled == 0


def test_a_publish_rolled_back_leaves_no_event(endpoint, editor, monkeypatch):
    article = in_review()

    def fail(article):
        raise RuntimeError("the recommender fell over")

    monkeypatch.setattr(recommendations, "update_article", fail)
    with pytest.raises(RuntimeError):
        publishing.transition(article, "publish", user=editor)

    assert Event.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_an_outer_rollback_takes_the_event_with_it(endpoint, editor):
    article = in_review()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publishing.transition(article, "publish", user=editor)
        assert Event.objects.count() == 1
        1 / 0  # noqa: B018

    assert Event.objects.count() == 0


def test_an_edit_of_a_live_article_is_an_update(endpoint, receiver):
    article = live_before_subscribing()
    article.headline = "A sharper headline"
    article.save()
    article.hero_image_credit = "Agency"  # not the text readers read
    article.save()

    deliver()

    assert receiver.events() == [UPDATED]
    assert json.loads(receiver.requests[0]["body"])["article"]["headline"] == (
        "A sharper headline"
    )


def test_a_correction_is_an_update(endpoint, receiver):
    article = live_before_subscribing()
    factories.correction(article, note="The plant is in Tangier, not Casablanca.")

    deliver()

    assert receiver.events() == [UPDATED]


def test_withdrawing_and_deleting_live_articles(endpoint, receiver, editor):
    withdrawn = live_before_subscribing()
    deleted = live_before_subscribing()
    publishing.transition(withdrawn, "withdraw", user=editor)
    deleted.delete()

    deliver()

    assert receiver.events() == [WITHDRAWN, WITHDRAWN]
    slugs = {json.loads(r["body"])["article"]["slug"] for r in receiver.requests}
    assert slugs == {withdrawn.slug, deleted.slug}


def test_endpoints_get_only_their_events(partner, receiver, editor):
    Endpoint.objects.create(partner=partner, url=receiver.url, events=[WITHDRAWN])
    article = in_review()
    publishing.transition(article, "publish", user=editor)
    publishing.transition(article, "withdraw", user=editor)

    deliver()

    assert receiver.events() == [WITHDRAWN]


# --- Schedules ------------------------------------------------------------------------


def test_a_scheduled_article_is_announced_when_it_goes_live(endpoint, receiver, editor):
    article = in_review()
    when = timezone.now() + datetime.timedelta(hours=1)
    publishing.transition(article, "publish", user=editor, publish_at=when)

    assert deliver().handled == 0
    assert receiver.requests == []

    with time_machine.travel(when + datetime.timedelta(minutes=1)):
        deliver()

    assert receiver.events() == [PUBLISHED]


def test_moving_a_schedule_replaces_its_announcement(endpoint, receiver, editor):
    article = in_review()
    first = timezone.now() + datetime.timedelta(hours=1)
    later = first + datetime.timedelta(hours=5)
    publishing.transition(article, "publish", user=editor, publish_at=first)
    article.refresh_from_db()
    article.published_at = later
    article.save()

    assert list(Event.objects.values_list("kind", "deliver_after")) == [
        (PUBLISHED, later)
    ]
    with time_machine.travel(first + datetime.timedelta(minutes=1)):
        assert deliver().handled == 0
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        deliver()
    assert receiver.events() == [PUBLISHED]


def test_withdrawing_a_scheduled_article_cancels_its_announcement(
    endpoint, receiver, editor
):
    article = in_review()
    when = timezone.now() + datetime.timedelta(hours=1)
    publishing.transition(article, "publish", user=editor, publish_at=when)
    publishing.transition(article, "withdraw", user=editor)

    with time_machine.travel(when + datetime.timedelta(hours=1)):
        deliver()

    # Partners never saw it, so there is nothing to take down either.
    assert receiver.requests == []
    assert Event.objects.count() == 0


def test_expiry_is_announced_as_a_withdrawal_at_its_time(endpoint, receiver, editor):
    expires = timezone.now() + datetime.timedelta(hours=2)
    article = in_review(expires_at=expires)
    publishing.transition(article, "publish", user=editor)
    deliver()
    assert receiver.events() == [PUBLISHED]

    with time_machine.travel(expires + datetime.timedelta(minutes=1)):
        deliver()

    assert receiver.events() == [PUBLISHED, WITHDRAWN]


def test_an_event_for_an_article_no_longer_live_is_skipped(endpoint, receiver):
    article = live_before_subscribing()
    article.headline = "Changed"
    article.save()
    Article.objects.filter(pk=article.pk).update(status=Status.WITHDRAWN)

    report = deliver()

    assert report.skipped == 1
    assert receiver.requests == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


# --- Retries --------------------------------------------------------------------------


def test_failures_back_off_then_give_up(endpoint, receiver, settings):
    settings.NEWSROOM_WEBHOOK_MAX_ATTEMPTS = 3
    settings.NEWSROOM_WEBHOOK_BACKOFF_SECONDS = 60
    receiver.answers = [500, 503, 502]
    live_before_subscribing().delete()  # a live article's removal: one event

    before = timezone.now()
    assert deliver().retrying == 1
    first = Delivery.objects.get()
    assert first.status == Delivery.Status.PENDING
    assert first.last_error == "HTTP 500"
    wait = first.next_attempt_at - before
    assert datetime.timedelta(seconds=30) <= wait <= datetime.timedelta(seconds=61)
    assert deliver().handled == 0  # not due yet

    with time_machine.travel(first.next_attempt_at + datetime.timedelta(seconds=1)):
        assert deliver().retrying == 1
        second = Delivery.objects.get()
        # The wait doubles: between one and two base periods, jittered.
        wait = second.next_attempt_at - timezone.now()
        assert datetime.timedelta(seconds=59) <= wait <= datetime.timedelta(seconds=121)
    with time_machine.travel(second.next_attempt_at + datetime.timedelta(seconds=1)):
        report = deliver()

    assert report.gave_up == 1
    final = Delivery.objects.get()
    assert final.status == Delivery.Status.FAILED
    assert final.attempts == 3
    assert [a.status_code for a in Attempt.objects.all()] == [500, 503, 502]
    assert len(receiver.requests) == 3


def test_an_unreachable_endpoint_is_recorded(partner, settings):
    Endpoint.objects.create(
        partner=partner, url="http://127.0.0.1:9/closed", events=[WITHDRAWN]
    )
    live_before_subscribing().delete()

    assert deliver().retrying == 1

    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error
    assert Delivery.objects.get().last_error == attempt.error


def test_a_redirect_is_not_followed(endpoint, receiver):
    receiver.answers = [302]
    live_before_subscribing().delete()

    assert deliver().retrying == 1

    assert len(receiver.requests) == 1
    assert Attempt.objects.get().status_code == 302


def test_inactive_endpoints_and_partners_are_skipped(endpoint, receiver, partner):
    live_before_subscribing().delete()
    partner.is_active = False
    partner.save()

    assert deliver().skipped == 1
    assert receiver.requests == []
    # And nothing new is written for them.
    live_before_subscribing().delete()
    assert Event.objects.count() == 1


def test_workers_never_claim_the_same_delivery(endpoint):
    for _ in range(5):
        live_before_subscribing().delete()

    first = delivery.claim(limit=3, worker="one")
    second = delivery.claim(limit=10, worker="two")

    assert len(first) == 3
    assert len(second) == 2
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert delivery.claim(limit=10, worker="three") == []
    # A worker that died lets its claims lapse.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)):
        assert len(delivery.claim(limit=10, worker="four")) == 5


# --- Endpoints, signatures, command, admin --------------------------------------------


def test_endpoint_addresses_must_be_https(settings):
    validate_endpoint_url("https://partner.example/hooks")
    for url in ("http://partner.example/hooks", "ftp://partner.example/", "https://"):
        with pytest.raises(ValidationError):
            validate_endpoint_url(url)
    validate_endpoint_url("http://127.0.0.1:8080/hooks")
    settings.NEWSROOM_WEBHOOKS_ALLOW_HTTP_LOCALHOST = False
    with pytest.raises(ValidationError):
        validate_endpoint_url("http://127.0.0.1:8080/hooks")


def test_an_endpoint_needs_known_events(partner):
    endpoint = Endpoint(partner=partner, url="https://p.example/", events=["nope"])
    with pytest.raises(ValidationError) as error:
        endpoint.full_clean()
    assert "events" in error.value.message_dict


def test_signatures_are_tied_to_body_and_time():
    body = b'{"event":"article.published"}'
    header = signing.signature_header("s3cret", body, timestamp=1_000_000)

    assert signing.verify("s3cret", header, body, now=1_000_100)
    assert not signing.verify("s3cret", header, body + b" ", now=1_000_100)
    assert not signing.verify("s3cret", header, body, now=1_000_000 + 301)
    assert not signing.verify("s3cret", "v1=abc", body)
    assert not signing.verify("s3cret", "t=soon,v1=abc", body)


def test_the_command_delivers_and_reports(endpoint, receiver):
    live_before_subscribing().delete()
    out = StringIO()

    call_command("deliver_webhooks", stdout=out)

    assert "Delivered 1, retrying 0, gave up 0, skipped 0." in out.getvalue()
    assert receiver.events() == [WITHDRAWN]


@pytest.mark.parametrize("option", [["--interval", "0"], ["--batch", "0"]])
def test_the_command_refuses_bad_options(option):
    with pytest.raises(CommandError):
        call_command("deliver_webhooks", *option)


def test_the_admin_shows_attempts_and_retries(admin_client, endpoint, receiver):
    receiver.answers = [500]
    live_before_subscribing().delete()
    deliver()
    failed = Delivery.objects.get()

    for url in (
        reverse("admin:webhooks_endpoint_changelist"),
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_endpoint_add"),
        reverse("admin:webhooks_event_changelist"),
        reverse("admin:webhooks_event_change", args=[failed.event_id]),
        reverse("admin:webhooks_delivery_changelist"),
    ):
        assert admin_client.get(url).status_code == 200
    page = admin_client.get(reverse("admin:webhooks_delivery_change", args=[failed.pk]))
    assert b"HTTP 500" in page.content

    Delivery.objects.update(next_attempt_at=timezone.now() + datetime.timedelta(days=1))
    admin_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk]},
    )
    deliver()
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


def test_the_admin_registers_an_endpoint(admin_client, partner):
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "partner": partner.pk,
            "url": "https://partner.example/hooks",
            "events": [PUBLISHED, WITHDRAWN],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == [PUBLISHED, WITHDRAWN]
    assert len(endpoint.secret) == 64


def test_saving_a_draft_costs_no_webhook_queries(endpoint):
    article = factories.article(status=Status.DRAFT)
    article.headline = "Edited"
    with CaptureQueriesContext(connection) as captured:
        article.save()
    assert captured.captured_queries
    assert not [q for q in captured.captured_queries if "webhooks_" in q["sql"]]
