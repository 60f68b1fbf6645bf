from django.shortcuts import render
from django.views.decorators.http import require_GET

from brokers import access, selectors
from brokers.access import Tool, broker_portal, tool_required
from portal.activity.selectors import recent_activity_for
from portal.views import coming_soon, support_contacts

BASE = "brokers/base.html"


@require_GET
@broker_portal
def home(request):
    broker = access.broker_for(request.user)
    can_see_book = request.user.has_perm(Tool.BOOK_OF_BUSINESS)
    return render(
        request,
        "brokers/home.html",
        {
            "broker": broker,
            "group_count": selectors.groups_for(request.user).count() if can_see_book else None,
            "can_view_commissions": access.can_view_commissions(request.user),
            "recent_activity": recent_activity_for(request.user),
        },
    )


@require_GET
@broker_portal
@tool_required(Tool.BOOK_OF_BUSINESS)
def group_list(request):
    return coming_soon(
        request,
        base=BASE,
        title="Book of Business",
        summary="Your groups, their suffixes, status, renewal dates and subscriber lists, "
        "with filters, sorting and Excel downloads.",
    )


@require_GET
@broker_portal
@tool_required(Tool.COMMISSION_STATEMENTS)
def statement_list(request):
    return coming_soon(
        request,
        base=BASE,
        title="Commission Statements",
        summary="Monthly commission statements for each of your Broker IDs, for the last "
        "18 months, as PDF and Excel.",
    )


@require_GET
@broker_portal
@tool_required(Tool.ELIGIBILITY)
def eligibility(request):
    return coming_soon(
        request,
        base=BASE,
        title="Eligibility, Status & Activity",
        summary="Quick eligibility checks by member ID or last name and date of birth, and "
        "billing and enrollment for the groups that granted you access.",
    )


@require_GET
@broker_portal
def sales_resources(request):
    return coming_soon(
        request,
        base=BASE,
        title="Sales & Quoting Resources",
        summary="Forms, brochures and quoting tools.",
    )


@require_GET
@broker_portal
def support(request):
    return support_contacts(request, base=BASE, audience="broker")
