"""The admin's "merge" action: choose the survivor on a confirmation page, then merge.

Shared by tags and entities; each admin names its merge service and says what
the merge does to its objects.
"""

from collections.abc import Callable, Sequence

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


class MergeAdminMixin:
    """Add a "Merge selected …" action to a ModelAdmin."""

    actions = ["merge_selected"]
    # staticmethod(service): service(survivor=..., others=[...]), atomic.
    merge: Callable[..., None]
    merge_explanation = ""

    def merge_details(self, obj: Model) -> str:
        """Describe one candidate on the confirmation page (what it brings along)."""
        return ""

    @admin.action(
        description="Merge selected %(verbose_name_plural)s…",
        permissions=["change", "delete"],
    )
    def merge_selected(self, request: HttpRequest, queryset: QuerySet):
        candidates = list(queryset)
        opts = self.model._meta
        if len(candidates) < 2:
            self.message_user(
                request,
                f"Select two or more {opts.verbose_name_plural} to merge.",
                messages.ERROR,
            )
            return None
        error = ""
        if request.POST.get("confirm") == "yes":
            chosen = request.POST.get("survivor", "")
            survivor = next((c for c in candidates if str(c.pk) == chosen), None)
            if survivor is None:
                error = f"Choose the {opts.verbose_name} to keep."
            else:
                others = [c for c in candidates if c.pk != survivor.pk]
                self.merge(survivor=survivor, others=others)
                self.message_user(
                    request,
                    f"Merged {_names(others)} into “{survivor}”.",
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/merge_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Merge {opts.verbose_name_plural}",
                "opts": opts,
                "candidates": [(c, self.merge_details(c)) for c in candidates],
                "explanation": self.merge_explanation,
                "error": error,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action": "merge_selected",
            },
        )


def _names(objects: Sequence[Model]) -> str:
    return ", ".join(f"“{obj}”" for obj in objects)
