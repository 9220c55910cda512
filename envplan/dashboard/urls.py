from django.urls import path

from envplan.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("plans/<int:plan_id>/", views.dashboard, name="plan"),
    path("plans/<int:plan_id>/indicators/", views.indicator_settings, name="indicators"),
    path(
        "plans/<int:plan_id>/indicators/<int:indicator_id>/", views.indicator_update, name="indicator_update"
    ),
]
