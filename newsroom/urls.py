from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles import views as article_views
from newsroom import views

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} editorial"
admin.site.site_title = settings.NEWSROOM_SITE_NAME

# A body too large to read is a 413 with its own page, not a bare 400.
handler400 = "newsroom.views.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("newsroom.api_urls")),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "preview/<int:version_id>/<str:token>/",
        article_views.shared_preview,
        name="preview",
    ),
    path("", include("entities.urls")),
    # Last: a section is any first path segment the site does not use itself.
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
