from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.accounts.models import Role

AUDIENCE_HOMES = {
    Role.BROKER: "brokers:home",
    Role.BROKER_STAFF: "brokers:home",
    Role.EMPLOYER_ADMIN: "employers:home",
    Role.PROVIDER_USER: "providers:home",
    Role.OPS: "admin:index",
}


@login_not_required
@require_GET
def home(request):
    """Send each signed-in user to their audience's home; ask everyone else who they are."""
    if request.user.is_authenticated:
        return redirect(AUDIENCE_HOMES[request.user.role])
    return render(request, "portal/home.html")


@login_not_required
@require_GET
def terms(request):
    """The Terms & Conditions, from the carrier file; registration forms link here."""
    return render(
        request,
        "portal/terms.html",
        {"title": "Terms & Conditions", "terms": settings.CARRIER["terms"]},
    )


@login_not_required
@require_GET
def healthz(request):
    """For the load balancer: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def coming_soon(request, *, base, title, breadcrumbs=(), summary):
    """A page that a later release builds: says so plainly and shows no made-up data."""
    return render(
        request,
        "portal/coming_soon.html",
        {"base_template": base, "title": title, "breadcrumbs": breadcrumbs, "summary": summary},
    )


def support_contacts(request, *, base, audience, breadcrumbs=()):
    """The carrier's support contacts and phone menus for one audience, from the carrier file."""
    return render(
        request,
        "portal/support_contacts.html",
        {
            "base_template": base,
            "title": "Support",
            "breadcrumbs": breadcrumbs,
            "contacts": settings.CARRIER["contacts"].get(audience, []),
        },
    )
