from django.urls import path

from envplan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("units/<slug:code>/members/", views.unit_members, name="members"),
    path("units/<slug:code>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("units/<slug:code>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
