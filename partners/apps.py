from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete

        from partners import schema  # noqa: F401  (registers the key's OpenAPI scheme)
        from partners.authentication import forget_key, forget_partner
        from partners.models import Partner, PartnerKey

        # Keys are cached for authentication; a change must reach it at once.
        post_save.connect(forget_key, sender=PartnerKey, dispatch_uid="key-saved")
        post_delete.connect(forget_key, sender=PartnerKey, dispatch_uid="key-deleted")
        post_save.connect(forget_partner, sender=Partner, dispatch_uid="partner-saved")
        # Before: once deleted, the partner's keys cannot be listed.
        pre_delete.connect(
            forget_partner, sender=Partner, dispatch_uid="partner-deleting"
        )
