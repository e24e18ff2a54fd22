from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from webhooks.models import Attempt, Delivery, Endpoint, Event, EventKind


class HttpsURLField(forms.URLField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=EventKind.values,
    )

    class Meta:
        model = Endpoint
        fields = ["partner", "url", "events", "is_active"]
        field_classes = {"url": HttpsURLField}


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "partner", "event_list", "is_active", "created_at"]
    list_filter = ["is_active", "partner"]
    list_select_related = ["partner"]
    search_fields = ["url", "partner__name"]
    readonly_fields = ["secret", "created_at"]

    @admin.display(description="events")
    def event_list(self, endpoint: Endpoint) -> str:
        return ", ".join(endpoint.events)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["endpoint", "status", "attempts", "next_attempt_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["kind", "article_slug", "occurred_at", "deliver_after"]
    list_filter = ["kind"]
    date_hierarchy = "occurred_at"
    fields = ["uuid", "kind", "article_id", "occurred_at", "deliver_after", "payload"]
    readonly_fields = fields
    inlines = [DeliveryInline]

    @admin.display(description="article")
    def article_slug(self, event: Event) -> str:
        return event.payload.get("article", {}).get("slug", "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["attempted_at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    ]
    list_filter = ["status", "event__kind", "endpoint__partner"]
    list_select_related = ["event", "endpoint"]
    fields = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected deliveries now")
    def retry_now(self, request, queryset) -> None:
        count = queryset.exclude(status=Delivery.Status.DELIVERED).update(
            status=Delivery.Status.PENDING,
            next_attempt_at=timezone.now(),
            claimed_until=None,
            claimed_by="",
        )
        self.message_user(
            request,
            f"{count} deliveries will be sent by the next deliver_webhooks run.",
            messages.SUCCESS,
        )
