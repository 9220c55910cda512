from django.urls import path

from envplan.exports import views

app_name = "exports"

urlpatterns = [
    path("plans/<int:plan_id>/", views.index, name="index"),
    path("plans/<int:plan_id>/ledger.xlsx", views.ledger_download, name="ledger"),
    path("plans/<int:plan_id>/units/<slug:code>/batch/", views.batch, name="batch"),
    path("plans/<int:plan_id>/units/<slug:code>/batch/template.xlsx", views.batch_template, name="template"),
    path("plans/<int:plan_id>/assessment/", views.assessment, name="assessment"),
    path("plans/<int:plan_id>/assessment.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("plans/<int:plan_id>/briefing/", views.briefing_download, name="briefing"),
]
