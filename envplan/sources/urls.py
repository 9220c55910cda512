from django.urls import path

from envplan.sources import views

app_name = "sources"

urlpatterns = [
    path("", views.device_status, name="devices"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/new/", views.enterprise_edit, name="enterprise_new"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:enterprise>/outlets/new/", views.outlet_edit, name="outlet_new"),
    path("outlets/<int:pk>/", views.outlet_detail, name="outlet"),
    path("outlets/<int:pk>/edit/", views.outlet_edit, name="outlet_edit"),
    path("outlets/<int:outlet>/devices/new/", views.device_edit, name="device_new"),
    path("devices/<int:pk>/edit/", views.device_edit, name="device_edit"),
    path("outlets/<int:outlet>/limits/new/", views.limit_edit, name="limit_new"),
    path("limits/<int:pk>/edit/", views.limit_edit, name="limit_edit"),
    path("exceedances/", views.exceedance_list, name="exceedances"),
]
