from django.urls import path

from . import views

urlpatterns = [
    path("2fa/", views.otp_status, name="otp_status"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("2fa/enrol/<str:token>/", views.otp_enrol, name="otp_enrol"),
    path("2fa/disable/", views.otp_disable, name="otp_disable"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
