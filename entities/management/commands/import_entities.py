from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from entities.importing import GazetteerError, import_gazetteer


class Command(BaseCommand):
    help = "Create or update entities and their aliases from a TOML gazetteer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            result = import_gazetteer(path)
        except GazetteerError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{path}: {len(result.created)} created, {len(result.updated)} updated, "
            f"{result.unchanged} unchanged"
        )
        for merged in result.merged:
            self.stdout.write(f"skipped {merged}: merged in the admin")
        if result.created or result.updated:
            self.stdout.write(
                "Articles already in the database are linked to the new names "
                "when next saved, or now with: manage.py relink_entities"
            )
