from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

DEMO_DIR = settings.BASE_DIR / "seeds"


class Command(BaseCommand):
    help = "Load the demo gazetteer and stories from seeds/ (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=DEMO_DIR)

    def handle(self, *args, path: Path, **options) -> None:
        call_command("import_entities", path / "entities.toml", stdout=self.stdout)
        call_command("import_articles", path, stdout=self.stdout, stderr=self.stderr)
        call_command("rebuild_recommendations", stdout=self.stdout)
