import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create the superuser “editor” if it does not exist. The password comes "
        "from DJANGO_SUPERUSER_PASSWORD, or is generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username: str, **options) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"The superuser “{username}” already exists.")
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or ""
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                f"Created the superuser “{username}” with the password: {password}\n"
                "It is shown only this once; change it in the admin."
            )
        else:
            self.stdout.write(
                f"Created the superuser “{username}” with the password from "
                "DJANGO_SUPERUSER_PASSWORD."
            )
