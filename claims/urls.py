from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<uuid:code>/", views.claim_detail, name="claim_detail"),
    path("debtors/", views.debtor_list, name="debtor_list"),
    path("debtors/<uuid:code>/", views.debtor_detail, name="debtor_detail"),
    path("calculateur/", views.calculator, name="calculator"),
]
