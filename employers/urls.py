from django.urls import path

from employers import views

app_name = "employers"

urlpatterns = [
    # Public: the employer's front door.
    path("sign-in/", views.sign_in, name="sign-in"),
    path("forgot-username/", views.forgot_username, name="forgot-username"),
    # The portal.
    path("", views.home, name="home"),
    path("enrollment/", views.enrollment, name="enrollment"),
    path("billing/", views.billing, name="billing"),
    path("accounts-reports/", views.accounts_reports, name="accounts-reports"),
    path("support/", views.support, name="support"),
]
