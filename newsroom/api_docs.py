"""The OpenAPI schema and its Swagger UI page: public, read before asking for a key."""

from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from newsroom import api


class SchemaView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs) -> HttpResponse:
        api.check_parameters(request, set())

        def build() -> dict:
            generator = SchemaGenerator()
            return generator.get_schema(request=None, public=True)

        return api.cached_json(request, build)


class APIDocsView(TemplateView):
    """Swagger UI from drf-spectacular-sidecar's files, booted by our own script."""

    template_name = "api/docs.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.GET:
            name = next(iter(request.GET))
            return api.error_response(
                400,
                "unknown_parameter",
                f"Unknown parameter “{name}”. This page takes none.",
                name,
            )
        return super().get(request, *args, **kwargs)
