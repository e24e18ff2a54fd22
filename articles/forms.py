import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from articles.models import Section, Tag
from articles.search import Period, SearchFilters
from entities.models import Entity

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_PAGE = 500


class SlugChoiceField(forms.ModelChoiceField):
    """Choose an object by its slug; what cannot be a slug is refused unqueried."""

    def __init__(self, queryset, *, noun: str) -> None:
        super().__init__(
            queryset,
            to_field_name="slug",
            required=False,
            error_messages={"invalid_choice": f"There is no {noun} “%(value)s”."},
        )

    def to_python(self, value):
        if value not in self.empty_values and not SLUG.fullmatch(str(value)):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class SearchForm(forms.Form):
    """The search page's narrowing and paging; the query text is never refused."""

    section = SlugChoiceField(Section.objects.all(), noun="section")
    tag = SlugChoiceField(Tag.objects.all(), noun="tag")
    entity = SlugChoiceField(Entity.objects.all(), noun="entity")
    date = forms.CharField(
        required=False,
        validators=[
            RegexValidator(
                r"^[12][0-9]{3}(-(0[1-9]|1[0-2]))?$",
                "Give a year or a month: 2026, or 2026-02.",
            )
        ],
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={"invalid": "Give a page number."},
    )

    def clean_date(self) -> Period | None:
        value = self.cleaned_data["date"]
        return Period.parse(value) if value else None

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        period = data["date"]
        return SearchFilters(
            section=data["section"],
            tag=data["tag"],
            entity=data["entity"],
            published_after=period.start if period else None,
            published_before=period.end if period else None,
        )
