from django.urls import path

from envplan.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("lists/", views.lists, name="lists"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/<str:action>/", views.round_action, name="round_action"),
    path("ratings/<int:pk>/", views.rating_detail, name="rating"),
    path("ratings/<int:pk>/objection/", views.record_objection, name="objection"),
    path("ratings/<int:pk>/repair/", views.apply_for_repair, name="repair"),
    path("ratings/<int:pk>/do/<str:action>/", views.rating_action, name="rating_action"),
    path("objections/<int:pk>/review/", views.review_objection, name="review_objection"),
    path("objections/<int:pk>/file/", views.objection_file, name="objection_file"),
    path("repairs/<int:pk>/review/", views.review_repair, name="review_repair"),
    path("repairs/<int:pk>/file/", views.repair_file, name="repair_file"),
    path("notices/<int:pk>/", views.notice_document, name="notice"),
    path("enterprises/<int:pk>/evidence/", views.enterprise_evidence, name="evidence"),
    path("evidence/<int:pk>/withdraw/", views.withdraw_evidence, name="withdraw_evidence"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
