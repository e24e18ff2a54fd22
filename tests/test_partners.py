"""Partners' keys from the command line, rate limits, usage counts and the admin."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from partners import throttling
from partners.models import KeyUsage, Partner, PartnerKey

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_partner_key", *args, stdout=out)
    return out.getvalue()


# --- create_partner_key ---------------------------------------------------------


def test_create_partner_key_prints_a_working_key_as_the_last_word(client):
    output = run("Aggregator")
    key = output.split()[-1]

    partner = Partner.objects.get(name="Aggregator")
    assert partner.keys.count() == 1
    response = client.get("/api/v1/tags/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200


def test_create_partner_key_reuses_an_existing_partner():
    run("Aggregator")
    run("Aggregator")

    assert Partner.objects.count() == 1
    assert PartnerKey.objects.count() == 2


def test_create_partner_key_with_an_expiry_date_works_through_that_day():
    day = (timezone.now() + datetime.timedelta(days=30)).date()
    run("Aggregator", "--expires", day.isoformat())

    key = PartnerKey.objects.get()
    assert timezone.localtime(key.expiry_date).date() == day + datetime.timedelta(1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("next week", "is not a date"),
        ("2026-02-30", "is not a date"),
        ("2001-01-01", "not in the future"),
    ],
)
def test_create_partner_key_refuses_a_bad_expiry_naming_it(value, message):
    with pytest.raises(CommandError, match=message) as refused:
        run("Aggregator", "--expires", value)

    assert "--expires" in str(refused.value)
    assert not Partner.objects.exists()


# --- Throttling -----------------------------------------------------------------


@pytest.fixture
def partner():
    return Partner.objects.create(name="Aggregator")


@pytest.fixture
def key(partner):
    return PartnerKey.objects.create_key(partner=partner, name="tests")[1]


def get(client, key, url="/api/v1/tags/"):
    return client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_every_answer_says_where_the_key_stands(client, key, settings):
    settings.NEWSROOM_API_THROTTLE_RATE = "5/minute"

    first = get(client, key)
    second = get(client, key)

    assert first["X-RateLimit-Limit"] == "5"
    assert first["X-RateLimit-Remaining"] == "4"
    assert second["X-RateLimit-Remaining"] == "3"
    assert int(first["X-RateLimit-Reset"]) > timezone.now().timestamp()


def test_over_the_rate_is_a_429_with_retry_after(client, key, settings):
    settings.NEWSROOM_API_THROTTLE_RATE = "2/hour"

    answers = [get(client, key) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refused["X-RateLimit-Remaining"] == "0"


def test_a_partner_rate_overrides_the_default(client, key, partner, settings):
    settings.NEWSROOM_API_THROTTLE_RATE = "1/hour"
    partner.throttle_rate = "3/minute"
    partner.save()

    answers = [get(client, key).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_each_key_has_its_own_window(client, key, partner, settings):
    settings.NEWSROOM_API_THROTTLE_RATE = "1/hour"
    other = PartnerKey.objects.create_key(partner=partner, name="second")[1]

    assert get(client, key).status_code == 200
    assert get(client, other).status_code == 200
    assert get(client, key).status_code == 429


@pytest.mark.parametrize("rate", ["fast", "10/week", "0/hour", "/hour", "ten/hour"])
def test_a_bad_rate_is_refused_by_the_partner_form(rate):
    partner = Partner(name="Aggregator", throttle_rate=rate)

    with pytest.raises(ValidationError) as refused:
        partner.full_clean()

    assert "throttle_rate" in refused.value.message_dict


# --- Usage ------------------------------------------------------------------------


def test_usage_is_counted_per_key_per_day_and_written_in_batches(
    client, key, settings, django_assert_max_num_queries
):
    settings.NEWSROOM_API_THROTTLE_RATE = "3/hour"
    settings.NEWSROOM_API_USAGE_FLUSH_SECONDS = 3600
    throttling.usage.flush()  # start from a clean slate in this process

    for _ in range(5):
        get(client, key)
    # No usage row written by the requests themselves.
    assert not KeyUsage.objects.exists()

    throttling.usage.flush()
    usage = KeyUsage.objects.get()
    assert (usage.day, usage.requests, usage.throttled) == (
        timezone.now().date(),
        5,
        2,
    )

    get(client, key)
    throttling.usage.flush()
    usage.refresh_from_db()
    assert usage.requests == 6


def test_usage_is_flushed_by_a_request_once_the_interval_has_passed(
    client, key, settings
):
    settings.NEWSROOM_API_USAGE_FLUSH_SECONDS = 1
    throttling.usage._last_flush -= 2

    get(client, key)

    assert KeyUsage.objects.get().requests == 1


def test_usage_of_a_deleted_key_is_dropped(client, key, settings):
    settings.NEWSROOM_API_USAGE_FLUSH_SECONDS = 3600
    get(client, key)
    PartnerKey.objects.all().delete()

    throttling.usage.flush()

    assert not KeyUsage.objects.exists()


# --- Admin ------------------------------------------------------------------------


def test_the_admin_shows_partners_keys_and_usage(admin_client, key, partner):
    partner_key = PartnerKey.objects.get()
    KeyUsage.objects.create(key=partner_key, day=timezone.now().date(), requests=42)

    pages = [
        "/admin/partners/partner/",
        f"/admin/partners/partner/{partner.pk}/change/",
        "/admin/partners/partnerkey/",
        f"/admin/partners/partnerkey/{partner_key.pk}/change/",
        "/admin/partners/keyusage/",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
    usage_page = admin_client.get("/admin/partners/keyusage/").content.decode()
    assert "42" in usage_page and "Aggregator" in usage_page
