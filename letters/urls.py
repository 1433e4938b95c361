from django.urls import path

from letters import handoff
from letters import views

app_name = "letters"
urlpatterns = [
    path("documents/<uuid:code>/", views.document_download, name="document_download"),
    path(
        "claims/<uuid:code>/formal-notice/",
        views.formal_notice_generate,
        name="formal_notice_generate",
    ),
    path("claims/<uuid:code>/bailiff-file/", views.bailiff_file, name="bailiff_file"),
    path("claims/<uuid:code>/handoff-file/", handoff.handoff_file, name="handoff_file"),
    path("claims/<uuid:code>/postal-proof/", handoff.proof_upload, name="proof_upload"),
    path("postal-proofs/<uuid:code>/", handoff.proof_download, name="proof_download"),
    path("settings/directory/", handoff.directory, name="directory"),
    path(
        "settings/directory/<uuid:code>/", handoff.contact_edit, name="contact_edit"
    ),
    path(
        "settings/directory/<uuid:code>/delete/",
        handoff.contact_delete,
        name="contact_delete",
    ),
    path("settings/terms/", handoff.terms_upload, name="terms_upload"),
    path("settings/terms/file/", handoff.terms_download, name="terms_download"),
    path("plans/<uuid:code>/pdf/", views.plan_download, name="plan_pdf"),
    path("texts/", views.override_list, name="override_list"),
    path("texts/edit/", views.override_edit, name="override_edit"),
]
