"""The correction requests of the units that own public data, under /corrections/ (login)."""

from django.urls import path

from envplan.portal import views

app_name = "corrections"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("owners/", views.owners, name="owners"),
    path("<int:pk>/", views.manage, name="manage"),
    path("<int:pk>/<str:action>/", views.manage_action, name="action"),
]
