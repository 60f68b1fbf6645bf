from django.urls import include, path

from employers.views import (
    accounts,
    bill_changes,
    bills,
    broker_access,
    documents,
    enrollment,
    pages,
    payment_history,
    payments,
    registration,
    reports,
    roster,
    sign_in,
)

# Pages an employer's broker also works, for the groups the employer granted: the brokers'
# URLconf includes these same lists under its own namespace (one view, scoped by who asks;
# employers.access.employer_or_broker).
enrollment_patterns = [
    path("enrollment/", enrollment.member_search, name="enrollment"),
    path(
        "enrollment/groups/<int:group_pk>/enroll/",
        enrollment.member_enroll,
        name="enrollment-enroll",
    ),
    path("enrollment/members/<int:pk>/", enrollment.member_detail, name="enrollment-member"),
    path(
        "enrollment/members/<int:pk>/update/",
        enrollment.member_update,
        name="enrollment-member-update",
    ),
    path(
        "enrollment/members/<int:pk>/dependents/add/",
        enrollment.dependent_add,
        name="enrollment-dependent-add",
    ),
    path(
        "enrollment/members/<int:pk>/plan/", enrollment.plan_change, name="enrollment-plan-change"
    ),
    path("enrollment/members/<int:pk>/pcp/", enrollment.pcp_change, name="enrollment-pcp-change"),
    path(
        "enrollment/members/<int:pk>/cancel/", enrollment.coverage_cancel, name="enrollment-cancel"
    ),
    path(
        "enrollment/members/<int:pk>/reinstate/",
        enrollment.coverage_reinstate,
        name="enrollment-reinstate",
    ),
    path(
        "enrollment/members/<int:pk>/cobra/", enrollment.cobra_transition, name="enrollment-cobra"
    ),
]
# Roster upload (its job's pk is the job's; the others' the group's).
roster_patterns = [
    path("enrollment/roster/", roster.roster_groups, name="roster"),
    path("enrollment/roster/<int:pk>/", roster.roster_upload, name="roster-upload"),
    path("enrollment/roster/<int:pk>/template/", roster.roster_template, name="roster-template"),
    path("enrollment/roster/<int:pk>/problems/", roster.roster_problems, name="roster-problems"),
    path(
        "enrollment/roster/<int:pk>/problems.csv",
        roster.roster_problems_csv,
        name="roster-problems-csv",
    ),
    path("enrollment/roster/jobs/<int:pk>/", roster.roster_job, name="roster-job"),
    path(
        "enrollment/roster/jobs/<int:pk>/status", roster.roster_job_status, name="roster-job-status"
    ),
]
bill_patterns = [
    path("billing/", bills.invoice_list, name="billing"),
    path("billing/invoices/<int:pk>/", bills.invoice_detail, name="invoice-detail"),
    path(
        "billing/invoices/<int:pk>/invoice.<str:format>",
        bills.invoice_document,
        name="invoice-document",
    ),
    path("billing/payments/", payment_history.payment_history, name="payment-history"),
]
report_patterns = [
    path("reports/", reports.report_list, name="report-list"),
    path(
        "reports/new/",
        reports.report_definition_create,
        name="report-definition-create",
    ),
    path(
        "reports/<int:pk>/",
        reports.report_definition_detail,
        name="report-definition-detail",
    ),
    path(
        "reports/<int:pk>/edit/",
        reports.report_definition_edit,
        name="report-definition-edit",
    ),
    path(
        "reports/<int:pk>/run/",
        reports.report_definition_run,
        name="report-definition-run",
    ),
    path(
        "reports/<int:pk>/delete/",
        reports.report_definition_delete,
        name="report-definition-delete",
    ),
]

app_name = "employers"

urlpatterns = [
    # Public: the employer's front door.
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("forgot-username/", sign_in.forgot_username, name="forgot-username"),
    # Registration: the primary client administrator's key, and every new user's completion.
    path("register/", registration.start, name="register"),
    path("register/complete/<str:token>/", registration.complete, name="register-complete"),
    # (end of Registration)
    # The portal.
    path("", pages.home, name="home"),
    # Manage Enrollment
    *enrollment_patterns,
    # End of Manage Enrollment
    # Pay My Bill
    *bill_patterns,
    # Make a Payment (its confirmation's pk is the submission's), payment accounts and
    # recurring payments.
    path("billing/pay/", payments.payment_make, name="payment-make"),
    path("billing/pay/<int:pk>/", payments.payment_confirmation, name="payment-confirmation"),
    path("billing/pay/<int:pk>/cancel/", payments.payment_cancel, name="payment-cancel"),
    path("billing/accounts/", payments.payment_account_list, name="payment-account-list"),
    path("billing/accounts/new/", payments.payment_account_add, name="payment-account-add"),
    path(
        "billing/accounts/<int:pk>/rename/",
        payments.payment_account_rename,
        name="payment-account-rename",
    ),
    path(
        "billing/accounts/<int:pk>/remove/",
        payments.payment_account_remove,
        name="payment-account-remove",
    ),
    path("billing/recurring/", payments.recurring_payment_list, name="recurring-payment-list"),
    path(
        "billing/recurring/new/", payments.recurring_payment_create, name="recurring-payment-create"
    ),
    path(
        "billing/recurring/<int:pk>/cancel/",
        payments.recurring_payment_cancel,
        name="recurring-payment-cancel",
    ),
    # (end of Pay My Bill)
    # Changes asked from a bill: someone on it left, a different amount due (verified by ops),
    # and how the employer receives its bills.
    path(
        "billing/invoices/<int:pk>/roster-change/",
        bill_changes.roster_change,
        name="invoice-roster-change",
    ),
    path(
        "billing/invoices/<int:pk>/amount-change/",
        bill_changes.amount_change,
        name="invoice-amount-change",
    ),
    path("billing/amount-changes/", bill_changes.amount_change_list, name="amount-change-list"),
    path("billing/preferences/", bill_changes.billing_preferences, name="billing-preferences"),
    # (end of bill changes)
    # Manage Accounts: the hub (Manage Accounts & Reports, whose Reports come later), the
    # administrator's own account, and the users they manage.
    path("accounts-reports/", accounts.accounts_reports, name="accounts-reports"),
    path("accounts-reports/account/", accounts.account_update, name="account-update"),
    path("accounts-reports/users/", accounts.user_list, name="user-list"),
    path("accounts-reports/users/new/", accounts.user_create, name="user-create"),
    path("accounts-reports/users/<int:pk>/", accounts.user_detail, name="user-detail"),
    path("accounts-reports/users/<int:pk>/disable/", accounts.user_disable, name="user-disable"),
    path("accounts-reports/users/<int:pk>/enable/", accounts.user_enable, name="user-enable"),
    path(
        "accounts-reports/users/<int:pk>/password-reset/",
        accounts.user_password_reset,
        name="user-password-reset",
    ),
    path(
        "accounts-reports/users/<int:pk>/registration-email/",
        accounts.user_registration_resend,
        name="user-registration-resend",
    ),
    # (end of Manage Accounts)
    # Manage Broker Access: the summary, a broker's Access Privileges (the pk is the broker's),
    # and the history of changes.
    path(
        "accounts-reports/broker-access/", broker_access.broker_access_summary, name="broker-access"
    ),
    path(
        "accounts-reports/broker-access/history/",
        broker_access.broker_access_history,
        name="broker-access-history",
    ),
    path(
        "accounts-reports/broker-access/<int:pk>/",
        broker_access.broker_access_detail,
        name="broker-access-detail",
    ),
    path(
        "accounts-reports/broker-access/<int:pk>/edit/",
        broker_access.broker_access_edit,
        name="broker-access-edit",
    ),
    path(
        "accounts-reports/broker-access/<int:pk>/revoke/",
        broker_access.broker_access_revoke,
        name="broker-access-revoke",
    ),
    # (end of Manage Broker Access)
    # Reports: the standard reports and the user's own report definitions (standard or custom,
    # one-time or recurring); each run is a report job (portal.jobs) with its progress page.
    path("accounts-reports/", include(report_patterns)),
    # (end of Reports)
    path("support/", pages.support, name="support"),
    # Group Documents: what ops published to the administrator's groups.
    path("documents/", documents.document_list, name="document-list"),
    path("documents/<int:pk>/download/", documents.document_download, name="document-download"),
    # Roster upload: many employees and dependents from one file, every row checked first,
    # then enrolled by a job, all rows or none.
    *roster_patterns,
    # (end of Roster upload)
]
