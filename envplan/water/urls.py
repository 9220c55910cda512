from django.urls import path

from envplan.water import views

app_name = "water"

urlpatterns = [
    path("", views.monitoring_section_list, name="monitoring_sections"),
    path("sections/new/", views.monitoring_section_create, name="monitoring_section_create"),
    path("sections/<str:code>/", views.monitoring_section_detail, name="monitoring_section"),
    path("sections/<str:code>/edit/", views.monitoring_section_edit, name="monitoring_section_edit"),
    path("indicators/", views.water_indicators, name="indicators"),
    path("import/", views.import_samples_view, name="import"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
]
