from django.urls import path

from entities import views

app_name = "entities"

urlpatterns = [
    path("entities/<slug:slug>/", views.EntityView.as_view(), name="detail"),
]
