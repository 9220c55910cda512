"""The public portal, under /public/: stable URLs, no login."""

from django.urls import path

from envplan.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/<str:code>/", views.switch_language, name="language"),
    path("data/", views.data_index, name="data_index"),
    path("data/catalog.jsonld", views.catalogue, name="catalogue"),
    path("data/<slug:name>.csv", views.data_csv, name="data_csv"),
    path("data/<slug:name>.schema.json", views.data_schema, name="data_schema"),
    path("data/<slug:name>.json", views.data_json, name="data_json"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/new/", views.correction_new, name="correction_new"),
    path("corrections/<str:reference>/", views.correction, name="correction"),
    path("<slug:key>/", views.section_page, name="section"),
]
