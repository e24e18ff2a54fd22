import datetime
import unicodedata
from itertools import groupby

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.generic import ListView
from reversion.models import Version

from articles import page_data, previews, revisions
from articles import search as article_search
from articles.forms import SearchForm
from articles.models import (
    Article,
    Author,
    Section,
    Tag,
    TaggedArticle,
    TagSlugRedirect,
)
from articles.search_query import MAX_QUERY_CHARACTERS

NEWS_SITEMAP_HOURS = 48
NEWS_SITEMAP_LIMIT = 1000

# The home page: a lead story and the latest after it, then a short rail of
# each section's newest stories.
HOME_LATEST = 7
RAIL_LENGTH = 4


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def home(request: HttpRequest) -> HttpResponse:
    latest = list(Article.objects.live().for_listing()[:HOME_LATEST])
    # The navigation lists the sections too: one query serves both.
    sections = list(Section.objects.all())
    rails = [
        (section, list(articles))
        for section, articles in groupby(
            # Rails show no bylines: the section is all they need.
            Article.objects.live()
            .select_related("section")
            .latest_by_section(sections=sections, per_section=RAIL_LENGTH),
            key=lambda article: article.section,
        )
    ]
    return render(
        request,
        "articles/home.html",
        {
            "lead": latest[0] if latest else None,
            "latest": latest[1:],
            "rails": rails,
            "nav_sections": sections,
            "canonical_url": request.build_absolute_uri("/"),
        },
    )


class LiveArticleListView(ListView):
    """A paginated list of live articles, narrowed to a subject by subclasses."""

    paginate_by = 20
    context_object_name = "articles"
    subject_name = ""  # the template's name for the section, tag ... listed

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        page = request.GET.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            return bad_request(request, "“page” must be a page number: 1, 2, 3 …")
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if getattr(self, "subject", None) is not None:
                raise  # the subject exists; the page number does not
            moved_to = self.moved_to()
            if moved_to is None:
                raise
            query = request.GET.urlencode()
            return redirect(
                f"{moved_to}?{query}" if query else moved_to, permanent=True
            )

    def get_queryset(self):
        articles = Article.objects.live().for_listing()
        if not self.subject_name:
            return articles
        self.subject = self.get_subject()
        return self.narrow(articles, self.subject)

    def moved_to(self) -> str | None:
        """Where a subject that is not found now lives (a merged tag), if anywhere."""
        return None

    def get_context_data(self, **kwargs):
        if self.subject_name:
            kwargs[self.subject_name] = self.subject
        context = super().get_context_data(**kwargs)
        # Page 1 has one address; the others are distinct pages of the archive.
        number = context["page_obj"].number
        query = f"?page={number}" if number > 1 else ""
        context["canonical_url"] = self.request.build_absolute_uri(
            self.request.path + query
        )
        return context


class ArchiveView(LiveArticleListView):
    template_name = "articles/archive.html"


class SectionView(LiveArticleListView):
    template_name = "articles/section.html"
    subject_name = "section"

    def get_subject(self) -> Section:
        return get_object_or_404(Section, slug=self.kwargs["section"])

    def narrow(self, articles, section: Section):
        return articles.filter(section=section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_section_slug=self.subject.slug)


class TagView(LiveArticleListView):
    template_name = "articles/tag.html"
    subject_name = "tag"

    def get_subject(self) -> Tag:
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def narrow(self, articles, tag: Tag):
        # A subquery, not a join: SQLite then reads the tag's stories from its
        # index instead of probing the tag for every live story (the count of
        # a tag on 10,000 stories took 0.4 s at 100,000 articles).
        return articles.filter(
            pk__in=TaggedArticle.objects.filter(tag=tag).values("content_object_id")
        )

    def moved_to(self) -> str | None:
        moved = TagSlugRedirect.objects.select_related("tag").filter(
            old_slug=self.kwargs["slug"]
        )
        return next((redirect.tag.get_absolute_url() for redirect in moved), None)


class AuthorView(LiveArticleListView):
    template_name = "articles/author.html"
    subject_name = "author"

    def get_subject(self) -> Author:
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def narrow(self, articles, author: Author):
        return articles.filter(bylines__author=author)


def article_detail(
    request: HttpRequest, section: str, year: int, month: int, day: int, slug: str
) -> HttpResponse:
    # The stored parts alone: a model instance would cost more than the query.
    found = (
        Article.objects.live()
        .filter(slug=slug)
        .order_by()
        .values_list("pk", "page_data")
    )
    pk, data = next(iter(found), (None, None))
    if pk is None:
        # A slug the article was once published under still finds it.
        article = get_object_or_404(
            Article.objects.live(), slug_redirects__old_slug=slug
        )
        return redirect(article.get_absolute_url(), permanent=True)
    if not page_data.is_current(data):
        # Not stored yet, or stored under other templates or settings.
        data = page_data.build(
            get_object_or_404(Article.objects.for_page_data(), pk=pk)
        )
    if request.path != data["path"]:
        return redirect(data["path"], permanent=True)
    return render_article_page(request, data, canonical_url=data["path"])


def render_article_page(
    request: HttpRequest, data: dict, *, canonical_url: str = "", **context
) -> HttpResponse:
    """Render the article template from page parts (``articles.page_data``)."""
    base_url = f"{request.scheme}://{request.get_host()}"
    return render(
        request,
        "articles/article_detail.html",
        {
            "page": page_data.for_request(data, base_url=base_url, now=timezone.now()),
            "canonical_url": base_url + canonical_url if canonical_url else "",
            "current_section_slug": data["section_slug"],
            **context,
        },
    )


def render_preview(request: HttpRequest, version: Version) -> HttpResponse:
    """Show one revision on the public article template, marked as a preview."""
    article = revisions.article_as_of(version)
    response = render_article_page(
        request,
        page_data.build(article),
        preview=True,
        preview_version=version,
        current_section_slug=None,
    )
    # A preview is for one person's eyes and never for search engines.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def shared_preview(request: HttpRequest, version_id: int, token: str) -> HttpResponse:
    version = previews.version_for_token(version_id, token)
    if version is None:
        raise Http404("This preview link is not valid, or it has expired.")
    return render_preview(request, version)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    # Shown back in the search box: control characters (NUL included) would
    # make the page invalid HTML, and a pasted essay is cut where search cuts it.
    query = "".join(
        " " if unicodedata.category(character) == "Cc" else character
        for character in request.GET.get("q", "")[:MAX_QUERY_CHARACTERS]
    ).strip()
    form = SearchForm(request.GET)
    context = {"query": query, "form": form, "query_limit": MAX_QUERY_CHARACTERS}
    if not form.is_valid():
        return render(request, "articles/search.html", context, status=400)
    if not query:
        return render(request, "articles/search.html", context)
    results = article_search.search(
        request.GET.get("q", ""),
        filters=form.filters(),
        page=form.cleaned_data["page"] or 1,
    )
    articles = Article.objects.live().for_listing().in_bulk(results.ids)
    context["results"] = results
    context["hits"] = [
        (articles[hit.article_id], hit)
        for hit in results.hits
        if hit.article_id in articles
    ]
    return render(request, "articles/search.html", context)


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """A Google News sitemap: the live stories of the last two days."""
    since = timezone.now() - datetime.timedelta(hours=NEWS_SITEMAP_HOURS)
    articles = (
        Article.objects.live()
        .filter(published_at__gte=since)
        .select_related("section")
        .only("headline", "slug", "published_at", "created_at", "section__slug")
    )
    context = {
        "articles": articles[:NEWS_SITEMAP_LIMIT],
        "base_url": f"{request.scheme}://{request.get_host()}",
        "language": settings.LANGUAGE_CODE.split("-")[0],
    }
    return render(request, "sitemaps/news.xml", context, content_type="application/xml")
