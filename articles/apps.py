from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self) -> None:
        from articles import caching, page_data, revisions, roles, search, tombstones
        from newsroom import backups

        revisions.register()
        # Read These Next's stored lists and vectors are recomputed after a
        # restore rather than backed up.
        for label in (
            "articles.ReadNextEntry",
            "articles.RecommendationFeature",
            "articles.ArticleFeatureWeight",
        ):
            backups.register_derived(label, "rebuild_recommendations")
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        # Any write to articles or entities may change a public page: listen to
        # every model so that a new one cannot be forgotten.
        post_save.connect(caching.content_changed, dispatch_uid="pages-save")
        post_delete.connect(caching.content_changed, dispatch_uid="pages-delete")
        m2m_changed.connect(caching.content_changed, dispatch_uid="pages-m2m")
        search.connect_signals()
        tombstones.connect_signals()
        page_data.connect_signals()
        # The index is rebuilt from the content after a restore, never backed up.
        backups.register_derived("articles.SearchDocument", "rebuild_search_index")
