from django.urls import path

from envplan.progress import views

app_name = "progress"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path(
        "tasks/<int:task_id>/units/<slug:unit_code>/<str:period>/",
        views.edit_report,
        name="edit",
    ),
    path("tasks/<int:task_id>/audit/", views.task_audit, name="audit"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/review/", views.review, name="review"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("notifications/", views.notifications, name="notifications"),
    path("plans/<int:plan_id>/settings/", views.plan_settings, name="settings"),
]
