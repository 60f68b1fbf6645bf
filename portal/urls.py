from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import views

# The admin signs in through the same login (and second factor) as everyone else.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = f"{settings.CARRIER['name']} — operations"
admin.site.site_title = f"{settings.CARRIER['short_name']} ops"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("terms/", views.terms, name="terms"),
    path("accounts/", include("allauth.urls")),
    # Before the admin's own URLs, whose catch-all would answer these with a 404.
    path("admin/access-review/", include("access_review.urls")),
    path("admin/", admin.site.urls),
    path("brokers/", include("brokers.urls")),
    path("employers/", include("employers.urls")),
    path("providers/", include("providers.urls")),
    path("jobs/", include("portal.jobs.urls")),
]
