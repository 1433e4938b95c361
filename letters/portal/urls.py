from django.urls import path

from letters.portal import creditor_views
from letters.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("t/<str:token>/", views.enter, name="enter"),
    path("code/", views.code, name="code"),
    path("privacy/", views.privacy, name="privacy"),
    path("c/<uuid:code>/", views.claim_detail, name="claim"),
    path("c/<uuid:code>/paid/", views.declare_paid, name="declare_paid"),
    path("c/<uuid:code>/dispute/", views.dispute, name="dispute"),
    path("c/<uuid:code>/plan/", views.plan_request, name="plan_request"),
    path("plan/<uuid:code>/accept/", views.plan_accept, name="plan_accept"),
    path("plan/<uuid:code>/sign/", views.plan_sign, name="plan_sign"),
    path("plan/<uuid:code>/pdf/", views.plan_download, name="plan_pdf"),
    path("d/<uuid:code>/", views.document_download, name="document"),
    path("i/<uuid:code>/", views.invoice_download, name="invoice"),
    path("manage/", creditor_views.inbox, name="manage"),
    path(
        "manage/disputes/<uuid:code>/",
        creditor_views.dispute_answer,
        name="dispute_answer",
    ),
    path(
        "manage/disputes/<uuid:code>/attachment/",
        creditor_views.dispute_attachment,
        name="dispute_attachment",
    ),
    path(
        "manage/claims/<uuid:code>/proofs/<str:name>",
        creditor_views.proof,
        name="proof",
    ),
    path("manage/plans/<uuid:code>/", creditor_views.plan_answer, name="plan_answer"),
    path(
        "manage/debtors/<uuid:code>/links/",
        creditor_views.token_issue,
        name="token_issue",
    ),
    path("manage/links/<str:short_code>/revoke/", creditor_views.revoke, name="revoke"),
]
