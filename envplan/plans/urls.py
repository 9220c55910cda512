from django.urls import path

from envplan.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/switch/", views.switch_plan, name="switch"),
    path("plans/<int:plan_id>/", views.plan_overview, name="plan"),
    path("plans/<int:plan_id>/revisions/", views.plan_revisions, name="revisions"),
    path("plans/<int:plan_id>/tasks/", views.task_list, name="tasks"),
    path("plans/<int:plan_id>/translations/", views.plan_translations, name="translations"),
    path("plans/<int:plan_id>/tasks/<int:number>/", views.task_detail, name="task"),
    path(
        "plans/<int:plan_id>/archived-tasks/<int:task_id>/", views.archived_task_detail, name="archived_task"
    ),
    path("units/", views.unit_list, name="units"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
]
