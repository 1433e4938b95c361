from django.urls import path

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
    path("plans/<uuid:code>/pdf/", views.plan_download, name="plan_pdf"),
    path("texts/", views.override_list, name="override_list"),
    path("texts/edit/", views.override_edit, name="override_edit"),
]
