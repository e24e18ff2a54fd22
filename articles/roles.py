"""The newsroom's two roles, as permission groups.

Writers draft and submit their own stories; editors do everything with
content, including publishing. The groups are created by a data migration and
kept in step after every ``migrate``, so a model added later is covered too.
Permissions are only ever added here: what an administrator grants by hand
stays granted.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

WRITER = "Writer"
EDITOR = "Editor"

# What the editorial apps hold; editors get every permission on them.
CONTENT_APPS = ("articles", "entities")

WRITER_PERMISSIONS = {
    "articles": [
        "add_article",
        "change_article",
        "view_article",
        *(f"{verb}_byline" for verb in ("add", "change", "delete", "view")),
        *(f"{verb}_readnextpin" for verb in ("add", "change", "delete", "view")),
        *(f"{verb}_readnextexclusion" for verb in ("add", "change", "delete", "view")),
        "view_correction",
        "view_section",
        "view_author",
        "view_tag",
        "add_tag",
        "view_transition",
    ],
    "entities": ["view_entity", "view_mention", "change_mention"],
}


def sync_roles(apps=global_apps) -> None:
    """Create the Writer and Editor groups and give them their permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for label in CONTENT_APPS:
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module; create_permissions
        # would otherwise skip them during the migration.
        app_config.models_module = getattr(app_config, "models_module", None) or True
        create_permissions(app_config, verbosity=0, apps=apps)

    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    )

    writer, _ = Group.objects.get_or_create(name=WRITER)
    for app_label, codenames in WRITER_PERMISSIONS.items():
        writer.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )


def sync_roles_after_migrate(sender, *, apps=global_apps, **kwargs) -> None:
    if apps.is_installed("articles") and apps.is_installed("entities"):
        sync_roles(apps)
