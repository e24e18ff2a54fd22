import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from partners.models import Partner, PartnerKey


def parse_expiry(value: str) -> datetime.datetime:
    """Read a date (the key works through that day) or a datetime, in the future."""
    try:
        # A date first: parse_datetime would read one as its midnight.
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise CommandError(
            f"--expires: “{value}” is not a date (2027-06-30) or an ISO 8601 "
            "datetime (2027-06-30T18:00:00Z)."
        )
    if moment is None:
        moment = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time.min
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment <= timezone.now():
        raise CommandError(f"--expires: {value} is not in the future.")
    return moment


class Command(BaseCommand):
    help = (
        "Make an API key for a partner (created if new) and print it, as the "
        "last word of the output; it is stored hashed and shown only this once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The partner's name.")
        parser.add_argument(
            "--expires",
            metavar="DATE",
            help="Last day the key works (YYYY-MM-DD), or an ISO 8601 datetime.",
        )
        parser.add_argument(
            "--key-name", default="", help="What the key is for (50 characters)."
        )

    def handle(self, *args, name: str, expires: str | None, key_name: str, **options):
        name = name.strip()
        if not name:
            raise CommandError("NAME: give the partner's name.")
        if len(key_name) > 50:
            raise CommandError("--key-name: at most 50 characters.")
        expiry = parse_expiry(expires) if expires else None
        with transaction.atomic():
            partner, created = Partner.objects.get_or_create(name=name)
            if not partner.is_active:
                raise CommandError(
                    f"Partner “{partner}” is inactive: activate it in the admin first."
                )
            _key, secret = PartnerKey.objects.create_key(
                partner=partner,
                name=key_name or f"made {timezone.now():%Y-%m-%d}",
                expiry_date=expiry,
            )
        if created:
            self.stdout.write(f"Created partner “{partner}”.")
        until = f", valid until {expiry:%Y-%m-%d %H:%M %Z}" if expiry else ""
        self.stdout.write(
            f"New key for “{partner}”{until}. Keep it now: it is not shown again.\n"
            f"{secret}"
        )
