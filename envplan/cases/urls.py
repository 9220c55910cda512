from django.urls import path

from envplan.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("precision/", views.precision, name="precision"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/packet.pdf", views.case_packet, name="packet"),
]
