from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from articles import illustrations

DEMO_DIR = settings.BASE_DIR / "seeds"


class Command(BaseCommand):
    help = (
        "Load the demo gazetteer and stories from seeds/, then re-link every "
        "article (safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=DEMO_DIR)
        parser.add_argument(
            "--illustrate",
            action="store_true",
            help="Draw an abstract hero illustration for each story without an image.",
        )

    def handle(self, *args, path: Path, illustrate: bool, **options) -> None:
        call_command("import_entities", path / "entities.toml", stdout=self.stdout)
        call_command("import_articles", path, stdout=self.stdout, stderr=self.stderr)
        # The gazetteer may have changed since the stories were last linked.
        call_command("relink_entities", stdout=self.stdout)
        # A database loaded before search existed has stories but no index.
        call_command("rebuild_search_index", stdout=self.stdout)
        call_command("rebuild_recommendations", stdout=self.stdout)
        if illustrate:
            count = illustrations.illustrate_articles_without_images()
            self.stdout.write(f"{count} hero illustrations drawn.")
