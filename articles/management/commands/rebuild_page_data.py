from django.core.management.base import BaseCommand

from articles import page_data


class Command(BaseCommand):
    help = (
        "Render the stored parts of article pages that are missing or out of "
        "date (safe to run at any time; run after a deploy and after "
        "rebuild_recommendations)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Render every published article's parts, not only stale ones.",
        )

    def handle(self, *args, all: bool = False, **options) -> None:
        articles = page_data.published() if all else page_data.stale()
        ids = list(articles.order_by("-published_at").values_list("pk", flat=True))
        stored = 0
        for start in range(0, len(ids), page_data.REBUILD_BATCH):
            stored += page_data.rebuild(ids[start : start + page_data.REBUILD_BATCH])
            self.stdout.write(
                f"Rendered {min(start + page_data.REBUILD_BATCH, len(ids))} "
                f"of {len(ids)} articles"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Article page parts stored: {stored} articles.")
        )
