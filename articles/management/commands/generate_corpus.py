import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from articles import synthetic


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-02-04, not “{value}”"
        ) from None


class Command(BaseCommand):
    help = (
        "Generate a clearly synthetic corpus of story clusters, to measure Read "
        "These Next (use a throwaway database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, required=True)
        parser.add_argument(
            "--seed",
            type=int,
            required=True,
            help="Required: the same seed gives the same corpus.",
        )
        parser.add_argument(
            "--until",
            type=iso_date,
            default=None,
            help="The last day of the two years covered (default: today).",
        )

    def handle(self, *args, articles: int, seed: int, until, **options) -> None:
        until = until or timezone.localdate()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done:,} of {total:,} articles")

        try:
            clusters = synthetic.generate(
                articles=articles, seed=seed, until=until, progress=progress
            )
        except synthetic.CorpusError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {articles:,} synthetic articles in {clusters:,} clusters "
                f"(seed {seed}, until {until:%Y-%m-%d}). Run rebuild_recommendations "
                "to compute their Read These Next."
            )
        )
