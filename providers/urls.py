from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("", views.home, name="home"),
    path("patients/", views.patient_info, name="patient-info"),
    path("transactions/", views.transactions, name="transactions"),
    path("account/", views.account, name="account"),
    path("support/", views.support, name="support"),
]
