from django.urls import path

from envplan.emergency import views

app_name = "emergency"

urlpatterns = [
    path("", views.index, name="index"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/change/", views.alert_change, name="alert_change"),
    path("alerts/<int:pk>/lift/", views.alert_lift, name="alert_lift"),
    path("alerts/<int:pk>/compliance/", views.compliance_page, name="compliance"),
    path("alerts/<int:pk>/cases.<str:fmt>", views.compliance_export, name="cases"),
    path("lists/", views.list_index, name="lists"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/export.xlsx", views.list_export, name="list_export"),
    path("lists/<int:pk>/import/", views.list_import, name="list_import"),
    path("lists/<int:pk>/adopt/", views.list_adopt, name="list_adopt"),
    path("lists/<int:pk>/revise/", views.list_revise, name="list_revise"),
    path("enterprises/<int:enterprise_id>/grades/", views.grades_page, name="grades"),
    path("neighbours/", views.neighbours, name="neighbours"),
    path("neighbours/feeds/new/", views.neighbour_source_new, name="neighbour_source_new"),
    path("neighbours/upload/", views.neighbour_upload, name="neighbour_upload"),
    path("cap.atom", views.cap_feed, name="cap_feed"),
    path("cap/<int:pk>.xml", views.cap_message, name="cap_message"),
]
