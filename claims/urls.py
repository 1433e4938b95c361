from django.urls import path

from . import views
from .views import imports as import_views

app_name = "claims"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<uuid:code>/", views.claim_detail, name="claim_detail"),
    path("debtors/", views.debtor_list, name="debtor_list"),
    path("debtors/<uuid:code>/", views.debtor_detail, name="debtor_detail"),
    path("bank/import/", import_views.bank_import, name="bank_import"),
    path("bank/queue/", import_views.bank_queue, name="bank_queue"),
    path(
        "bank/queue/<str:key>/match/",
        import_views.bank_line_match_view,
        name="bank_line_match",
    ),
    path(
        "bank/queue/<str:key>/ignore/",
        import_views.bank_line_ignore_view,
        name="bank_line_ignore",
    ),
    path("imports/csv/", import_views.csv_import, name="csv_import"),
    path("imports/csv/mapping/", import_views.csv_mapping, name="csv_mapping"),
    path("imports/ubl/", import_views.ubl_import_view, name="ubl_import"),
    path("exports/", import_views.exports_page, name="exports"),
    path("exports/claims/", import_views.export_claims, name="export_claims"),
    path("exports/payments/", import_views.export_payments, name="export_payments"),
    path(
        "exports/aged-balance/",
        import_views.export_aged_balance,
        name="export_aged_balance",
    ),
]
