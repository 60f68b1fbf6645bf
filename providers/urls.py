from django.urls import path

from providers.views import (
    authorizations,
    benefits,
    claims,
    eligibility,
    first_sign_in,
    pages,
    registration,
    resources,
    users,
)

app_name = "providers"

urlpatterns = [
    # Public: the provider office's front door.
    path("sign-in/", pages.sign_in, name="sign-in"),
    # Public: registration (Terms of Use, region, account type, user type, your information),
    # the request's confirmation, and finishing the account from the emailed link.
    path("register/", registration.terms, name="register"),
    path("register/regions/", registration.regions, name="register-regions"),
    path("register/account-type/", registration.account_type, name="register-account-type"),
    path("register/user-type/", registration.user_type, name="register-user-type"),
    path("register/details/", registration.details, name="register-details"),
    path("register/submitted/", registration.submitted, name="register-submitted"),
    path("register/complete/<str:token>/", registration.complete, name="register-complete"),
    # The portal.
    path("", pages.home, name="home"),
    # Patient Info: eligibility.
    path("patients/", eligibility.eligibility_search, name="patient-info"),
    path("patients/members/<int:pk>/", eligibility.member_detail, name="member-detail"),
    path(
        "patients/members/<int:pk>/benefits/",
        benefits.benefit_schedule,
        name="benefit-schedule",
    ),
    # Transactions: claim and authorization status.
    path("transactions/", pages.transactions, name="transactions"),
    path("transactions/claims/", claims.claim_list, name="claim-list"),
    path("transactions/claims/<int:pk>/", claims.claim_detail, name="claim-detail"),
    path(
        "transactions/authorizations/",
        authorizations.authorization_search,
        name="authorization-search",
    ),
    path(
        "transactions/authorizations/<int:pk>/",
        authorizations.authorization_detail,
        name="authorization-detail",
    ),
    # Resources: participating providers, medical policies, and the notice before other sites.
    path("resources/", resources.resources_home, name="resources"),
    path("resources/providers/", resources.provider_search, name="provider-search"),
    path("resources/policies/", resources.policy_list, name="policy-list"),
    path("resources/policies/notice/", resources.policy_notice, name="policy-notice"),
    path("resources/policies/<int:pk>/", resources.policy_detail, name="policy-detail"),
    path("resources/leaving/", resources.leaving, name="leaving"),
    path("account/", pages.account, name="account"),
    # My Account: Create New User and Manage Users (delegated administrators).
    path("account/users/", users.user_list, name="user-list"),
    path("account/users/new/", users.user_create, name="user-create"),
    path("account/users/<int:pk>/", users.user_detail, name="user-detail"),
    path("account/users/<int:pk>/disable/", users.user_disable, name="user-disable"),
    path("account/users/<int:pk>/enable/", users.user_enable, name="user-enable"),
    path("account/users/<int:pk>/resend/", users.user_sign_in_resend, name="user-sign-in-resend"),
    path(
        "account/users/<int:pk>/password-reset/",
        users.user_password_reset,
        name="user-password-reset",
    ),
    path("account/email/", users.profile_email_update, name="profile-email-update"),
    # The first sign-in with a temporary password.
    path("first-sign-in/", first_sign_in.first_sign_in, name="first-sign-in"),
    path("first-sign-in/terms/", first_sign_in.terms, name="first-sign-in-terms"),
    path("first-sign-in/password/", first_sign_in.password, name="first-sign-in-password"),
    path(
        "first-sign-in/authenticator/",
        first_sign_in.authenticator,
        name="first-sign-in-authenticator",
    ),
    path("support/", pages.support, name="support"),
]
