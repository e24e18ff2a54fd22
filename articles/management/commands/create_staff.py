import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from articles.models import Author
from articles.roles import EDITOR, WRITER


class Command(BaseCommand):
    help = (
        "Create a staff account in the Writer or Editor group, with the author "
        "it writes as. Prints a generated password once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role", choices=["writer", "editor"], required=True, help="The group."
        )
        parser.add_argument(
            "--name",
            default="",
            help="Full name, used for the byline (default: the username).",
        )

    @transaction.atomic
    def handle(self, *args, username: str, role: str, name: str, **options) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called “{username}” already exists.")
        name = name.strip() or username
        slug = slugify(name)
        if not slug:
            raise CommandError(f"“{name}” has no letters or digits for a byline.")
        author = Author.objects.filter(slug=slug).first()
        if author is not None and author.user_id is not None:
            raise CommandError(
                f"The author “{author.name}” already belongs to another account."
            )
        first, _, last = name.partition(" ")
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username, password=password, is_staff=True, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=EDITOR if role == "editor" else WRITER))
        if author is None:
            author = Author.objects.create(name=name, slug=slug, user=user)
        else:
            author.user = user
            author.save(update_fields=["user"])
        self.stdout.write(
            f"Created the {role} “{username}”, writing as “{author.name}”, with the "
            f"password: {password}\nIt is shown only this once; change it in the admin."
        )
