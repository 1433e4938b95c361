from django.urls import path

from claims.web import views
from claims.web.views import actions
from claims.web.views import api_settings
from claims.web.views import imports as import_views
from claims.web.views import judicial
from claims.web.views import manage
from claims.web.views import outcomes
from claims.web.views import reversals
from claims.web.views import scenarios

app_name = "claims"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<uuid:code>/", views.claim_detail, name="claim_detail"),
    path("debtors/", views.debtor_list, name="debtor_list"),
    path("debtors/<uuid:code>/", views.debtor_detail, name="debtor_detail"),
    path("calculateur/", views.calculator, name="calculator"),
    path("amiable-ou-judiciaire/", outcomes.outcomes, name="outcomes"),
    # ui: actions, creation, settings
    path("claims/bulk/", actions.bulk, name="claim_bulk"),
    path("claims/new/", manage.claim_create, name="claim_create"),
    path("debtors/new/", manage.debtor_create, name="debtor_create"),
    path("claims/<uuid:code>/payment/", actions.payment_record, name="claim_payment"),
    path("claims/<uuid:code>/note/", actions.note_add, name="claim_note"),
    path("claims/<uuid:code>/pause/", actions.pause, name="claim_pause"),
    path(
        "claims/actions/<uuid:code>/<slug:decision>/",
        actions.uncertain_decide,
        name="claim_uncertain",
    ),
    path(
        "claims/<uuid:code>/letter/<slug:key>/",
        actions.letter_confirm,
        name="claim_letter",
    ),
    path("claims/<uuid:code>/routes/", actions.route_advice, name="claim_routes"),
    path(
        "claims/<uuid:code>/judicial/handoff/",
        judicial.handoff,
        name="judicial_handoff",
    ),
    path("claims/<uuid:code>/judicial/step/", judicial.step, name="judicial_step"),
    path(
        "judicial/document/<uuid:code>/",
        judicial.document,
        name="judicial_document",
    ),
    # Cancel a ledger entry by a counter-entry (``code`` is the entry's).
    path(
        "ledger/payment/<uuid:code>/cancel/",
        reversals.entry_reverse,
        {"kind": "payment"},
        name="payment_reverse",
    ),
    path(
        "ledger/credit-note/<uuid:code>/cancel/",
        reversals.entry_reverse,
        {"kind": "credit_note"},
        name="credit_note_reverse",
    ),
    path(
        "ledger/waiver/<uuid:code>/cancel/",
        reversals.entry_reverse,
        {"kind": "waiver"},
        name="waiver_reverse",
    ),
    path(
        "claims/<uuid:code>/do/<slug:key>/",
        actions.engine_action,
        name="claim_engine_action",
    ),
    path("settings/", manage.settings_creditor, name="settings"),
    path("settings/scenarios/", manage.settings_scenarios, name="settings_scenarios"),
    path(
        "settings/scenarios/<uuid:code>/",
        scenarios.scenario_edit,
        name="scenario_edit",
    ),
    path(
        "settings/scenarios/<uuid:code>/copy/",
        scenarios.scenario_copy,
        name="scenario_copy",
    ),
    path("settings/members/", manage.settings_members, name="settings_members"),
    path("settings/members/<int:pk>/role/", manage.member_role, name="member_role"),
    path("settings/api/", api_settings.settings_api, name="settings_api"),
    path(
        "settings/api/tokens/<uuid:code>/revoke/",
        api_settings.token_revoke,
        name="api_token_revoke",
    ),
    path(
        "settings/api/webhooks/<uuid:code>/disable/",
        api_settings.webhook_disable,
        name="webhook_disable",
    ),
    path(
        "settings/api/deliveries/<int:pk>/replay/",
        api_settings.delivery_replay,
        name="webhook_replay",
    ),
    path("switch/", manage.switch_creditor, name="switch_creditor"),
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
    path("imports/jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path(
        "imports/jobs/<int:pk>/status/",
        import_views.import_job_status,
        name="import_job_status",
    ),
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
