from django.urls import path

from employers.views import documents, pages, registration, roster, sign_in

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
    path("enrollment/", pages.enrollment, name="enrollment"),
    path("billing/", pages.billing, name="billing"),
    path("accounts-reports/", pages.accounts_reports, name="accounts-reports"),
    path("support/", pages.support, name="support"),
    # Group Documents: what ops published to the administrator's groups.
    path("documents/", documents.document_list, name="document-list"),
    path("documents/<int:pk>/download/", documents.document_download, name="document-download"),
    # Roster upload: many employees and dependents from one file, every row checked first,
    # then enrolled by a job, all rows or none.
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
    # (end of Roster upload)
]
