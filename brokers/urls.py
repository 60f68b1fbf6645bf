from django.urls import path

from brokers.views import account, pages, registration, sign_in, staff

app_name = "brokers"

urlpatterns = [
    # Public: the broker's front door and self-registration.
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("forgot-username/", sign_in.forgot_username, name="forgot-username"),
    path("register/", registration.start, name="register"),
    path("register/send/", registration.send_email, name="register-send"),
    path("register/complete/<str:token>/", registration.complete, name="register-complete"),
    # The portal.
    path("", pages.home, name="home"),
    path("book-of-business/", pages.group_list, name="group-list"),
    path("commission-statements/", pages.statement_list, name="statement-list"),
    path("eligibility/", pages.eligibility, name="eligibility"),
    path("sales-resources/", pages.sales_resources, name="sales-resources"),
    path("support/", pages.support, name="support"),
    # My Account: details, profiles, the Broker ID the dashboard is viewed for.
    path("account/", account.account, name="account"),
    path("account/phone/", account.phone_update, name="account-phone"),
    path("account/profiles/<int:pk>/primary/", account.license_primary, name="license-primary"),
    path("account/broker-id/", account.broker_code_select, name="broker-code-select"),
    # Manage Accounts: office staff users and the upline's view.
    path("account/staff/", staff.staff_list, name="staff-list"),
    path("account/staff/new/", staff.staff_create, name="staff-create"),
    path("account/staff/<int:pk>/", staff.staff_detail, name="staff-detail"),
    path("account/staff/<int:pk>/disable/", staff.staff_disable, name="staff-disable"),
    path("account/staff/<int:pk>/enable/", staff.staff_enable, name="staff-enable"),
    path(
        "account/staff/<int:pk>/password-reset/",
        staff.staff_password_reset,
        name="staff-password-reset",
    ),
    path(
        "account/staff/<int:pk>/registration-email/",
        staff.staff_registration_resend,
        name="staff-registration-resend",
    ),
    path("account/upline/", staff.upline_access, name="upline-access"),
]
