from django.urls import path

from providers.views import authorizations, benefits, claims, eligibility, pages

app_name = "providers"

urlpatterns = [
    # Public: the provider office's front door.
    path("sign-in/", pages.sign_in, name="sign-in"),
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
    path("account/", pages.account, name="account"),
    path("support/", pages.support, name="support"),
]
