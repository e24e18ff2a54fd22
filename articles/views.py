from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import ListView

from articles.models import Article, Author, Section, Tag


class LiveArticleListView(ListView):
    """A paginated list of live articles, narrowed by each subclass."""

    paginate_by = 20
    context_object_name = "articles"

    def get_queryset(self):
        return self.narrow(Article.objects.live().for_listing())

    def narrow(self, articles):
        return articles


class HomeView(LiveArticleListView):
    template_name = "articles/home.html"


class SectionView(LiveArticleListView):
    template_name = "articles/section.html"

    def narrow(self, articles):
        self.section = get_object_or_404(Section, slug=self.kwargs["section"])
        return articles.filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(LiveArticleListView):
    template_name = "articles/tag.html"

    def narrow(self, articles):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return articles.filter(tagged_items__tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(LiveArticleListView):
    template_name = "articles/author.html"

    def narrow(self, articles):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return articles.filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


def article_detail(
    request: HttpRequest, section: str, year: int, month: int, day: int, slug: str
) -> HttpResponse:
    article = get_object_or_404(Article.objects.live().for_detail(), slug=slug)
    canonical_url = article.get_absolute_url()
    if request.path != canonical_url:
        return redirect(canonical_url, permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})
