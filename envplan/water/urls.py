from django.urls import path

from envplan.water import views

app_name = "water"

urlpatterns = [
    path("", views.section_list, name="sections"),
    path("sections/new/", views.section_create, name="section_create"),
    path("sections/<str:code>/", views.section_detail, name="section"),
    path("sections/<str:code>/edit/", views.section_edit, name="section_edit"),
    path("indicators/", views.water_indicators, name="indicators"),
    path("import/", views.import_samples_view, name="import"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
]
