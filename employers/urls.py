from django.urls import path

from employers.views import pages, sign_in

app_name = "employers"

urlpatterns = [
    # Public: the employer's front door.
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("forgot-username/", sign_in.forgot_username, name="forgot-username"),
    # The portal.
    path("", pages.home, name="home"),
    path("enrollment/", pages.enrollment, name="enrollment"),
    path("billing/", pages.billing, name="billing"),
    path("accounts-reports/", pages.accounts_reports, name="accounts-reports"),
    path("support/", pages.support, name="support"),
]
