from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from partners.models import Partner, PartnerKey

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


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    list_display = (*APIKeyModelAdmin.list_display, "partner")
    list_filter = (*APIKeyModelAdmin.list_filter, "partner")
    list_select_related = ("partner",)
    search_fields = (*APIKeyModelAdmin.search_fields, "partner__name")
    autocomplete_fields = ("partner",)
