from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from articles import revisions, roles, search

        revisions.register()
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        search.connect_signals()
