from django.core.management.base import BaseCommand

from articles.search import rebuild_index


class Command(BaseCommand):
    help = "Rewrite the search index from every article (safe to run at any time)."

    def handle(self, *args, **options) -> None:
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"Indexed {done} of {total} articles")

        count = rebuild_index(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Search index rebuilt: {count} articles.")
        )
