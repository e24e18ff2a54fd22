from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from partners.models import KeyUsage, Partner, PartnerKey

# Partners' keys are PartnerKey rows; the library's own ownerless APIKey model is
# unused, and a second "API keys" page would send editors to the wrong one.
admin.site.unregister(APIKey)


class PartnerKeyInline(admin.TabularInline):
    model = PartnerKey
    fields = ("name", "prefix", "created", "expiry_date", "revoked")
    readonly_fields = ("name", "prefix", "created", "expiry_date", "revoked")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        # A key's plain text is shown once, by the key's own add page.
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "is_active", "throttle_rate", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_email")
    inlines = [PartnerKeyInline]


class KeyUsageInline(admin.TabularInline):
    model = KeyUsage
    fields = ("day", "requests", "throttled")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-day"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(KeyUsage)
class KeyUsageAdmin(admin.ModelAdmin):
    """Requests per key per day, written in batches by partners.throttling."""

    list_display = ("day", "key", "partner", "requests", "throttled")
    list_filter = ("day", "key__partner")
    list_select_related = ("key__partner",)
    date_hierarchy = "day"
    search_fields = ("key__name", "key__prefix", "key__partner__name")
    readonly_fields = ("key", "day", "requests", "throttled")

    @admin.display(ordering="key__partner__name")
    def partner(self, usage: KeyUsage) -> str:
        return usage.key.partner.name

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    list_display = (*APIKeyModelAdmin.list_display, "partner")
    list_filter = (*APIKeyModelAdmin.list_filter, "partner")
    list_select_related = ("partner",)
    search_fields = (*APIKeyModelAdmin.search_fields, "partner__name")
    autocomplete_fields = ("partner",)
    inlines = [KeyUsageInline]
