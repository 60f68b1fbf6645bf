"""The portal's URLs plus the bare views the baselines time.

A bare view runs one query through the ORM and answers plain text, behind the portal's full
middleware: no permission check, no template. `bare_member` is the cheapest page there is;
the list pages' bare views run the rows query of one page of that list (same filter, sort and
cursor), so a list's ratio to its own bare view is what the page adds to its unavoidable query.
"""

import datetime

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from brokers import selectors
from brokers.views.book import _beyond, _order
from enrollment.models import Group, Member
from portal.urls import urlpatterns as portal_urlpatterns
from providers.models import Claim

PAGE_ROWS = 26  # a page of 25 and one more, to tell whether there is a next page


def _text(rows):
    return HttpResponse("\n".join("\t".join(map(str, row)) for row in rows), "text/plain")


@require_GET
def bare_member(request, member_id):
    # One query on a unique index and a plain-text answer: no template, no permission checks.
    last_name = Member.objects.values_list("last_name", flat=True).get(member_id=member_id)
    return HttpResponse(last_name, content_type="text/plain")


@require_GET
def bare_book_page(request, office_id):
    """One page of an office's book: its groups with a status, by original enrollment date.

    `?after=<date>,<number>,<pk>` starts after a row (newest first); `?order=asc` reads from the
    oldest, as the last page does. The rows are the group's own columns and its parent's number:
    the alert flags, plans and roster grant are what the page adds.
    """
    fields = ("original_effective_date", "number", "pk")
    descending = request.GET.get("order") != "asc"
    # The book's own filter (the grant's EXISTS as the page writes it, its fastest form).
    groups = Group.objects.filter(
        selectors._office_grants(office_id, "view_group"), status=request.GET["status"]
    )
    if request.GET.get("after"):
        date, number, pk = request.GET["after"].split(",")
        values = (datetime.date.fromisoformat(date), number, int(pk))
        groups = groups.filter(_beyond(fields, values, descending))
    rows = groups.order_by(*_order(fields, descending)).values_list(
        "pk", "parent__number", "suffix", "name", "status", "original_effective_date"
    )[:PAGE_ROWS]
    return _text(rows)


@require_GET
def bare_claim_page(request, tax_id):
    """The first page of a Tax ID's claims, newest received first, with each claim's member."""
    rows = (
        Claim.objects.filter(tax_id=tax_id)
        .order_by("-received_on", "-pk")
        .values_list(
            "number",
            "service_from",
            "received_on",
            "status",
            "billed_amount",
            "paid_amount",
            "member__member_id",
            "member__last_name",
        )[:PAGE_ROWS]
    )
    return _text(rows)


urlpatterns = [
    path("bench/bare-member/<str:member_id>/", bare_member, name="bench-bare-member"),
    path("bench/bare-book/<int:office_id>/", bare_book_page, name="bench-bare-book"),
    path("bench/bare-claims/<int:tax_id>/", bare_claim_page, name="bench-bare-claims"),
    *portal_urlpatterns,
]
