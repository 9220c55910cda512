from django.urls import path

from envplan.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:import_id>/", views.review, name="review"),
    path("<int:import_id>/units/<str:action>/", views.unit_action, name="unit_action"),
    path("<int:import_id>/accept/", views.accept, name="accept"),
    path("<int:import_id>/discard/", views.discard, name="discard"),
]
