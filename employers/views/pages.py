"""The employer portal's pages: My Dashboard, and the sections later issues fill in."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from employers import access, selectors
from employers.access import employer_portal
from portal.views import support_contacts

BASE = "employers/base.html"


@require_GET
@employer_portal
def home(request):
    admin = access.admin_for(request.user)
    groups = selectors.groups_for(request.user)
    return render(request, "employers/home.html", {"admin": admin, "groups": groups})


@require_GET
@employer_portal
def support(request):
    return support_contacts(request, base=BASE, audience="employer")
