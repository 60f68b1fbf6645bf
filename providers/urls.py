from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    # Public: the provider office's front door.
    path("sign-in/", views.sign_in, name="sign-in"),
    # The portal.
    path("", views.home, name="home"),
    path("patients/", views.patient_info, name="patient-info"),
    path("transactions/", views.transactions, name="transactions"),
    path("account/", views.account, name="account"),
    path("support/", views.support, name="support"),
]
