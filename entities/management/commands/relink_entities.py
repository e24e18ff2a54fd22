import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.models import Article
from entities.linker import current_linker
from entities.mentions import relink_articles

BAR_WIDTH = 30


def since_argument(value: str) -> datetime.datetime:
    """Read --since as a date (YYYY-MM-DD) or a date and time, in the site's zone."""
    try:
        moment = parse_datetime(value)
        day = parse_date(value) if moment is None else None
    except ValueError:
        moment = day = None
    if moment is None and day is not None:
        moment = datetime.datetime.combine(day, datetime.time.min)
    if moment is None:
        raise CommandError(
            f"--since: “{value}” is not a date; write it as YYYY-MM-DD "
            "or YYYY-MM-DDTHH:MM"
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Re-link articles to the entities they mention: recompute mentions "
        "(keeping editors' decisions) and the entity links in their bodies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="Only articles saved on or after this date (YYYY-MM-DD).",
        )

    def handle(self, *args, since: str | None, **options) -> None:
        articles = Article.objects.all()
        if since is not None:
            articles = articles.filter(revised_at__gte=since_argument(since))
        linker = current_linker()
        self.stdout.write(f"Linking against {linker.size} entity names and aliases.")
        changed = relink_articles(articles, linker=linker, progress=self.progress)
        self.stdout.write(f"{changed} articles changed.")

    def progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        # One line, rewritten in a terminal; one line per chunk in a log file.
        ending = "" if self.stdout.isatty() and done < total else "\n"
        self.stdout.write(f"\r[{bar}] {done}/{total} articles", ending=ending)
        self.stdout.flush()
