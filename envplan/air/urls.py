from django.urls import path

from envplan.air import views

app_name = "air"

urlpatterns = [
    path("", views.station_list, name="stations"),
    path("stations/<str:code>/", views.station_detail, name="station"),
    path("cities/<str:city>/", views.city_dashboard, name="city"),
    path("import/", views.import_hourly_view, name="import"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
]
