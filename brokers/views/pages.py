from django.shortcuts import render
from django.views.decorators.http import require_GET

from brokers import access, selectors
from brokers.access import Tool, broker_portal, tool_required
from portal.activity.selectors import recent_activity_for
from portal.views import coming_soon

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
@tool_required(Tool.COMMISSION_STATEMENTS)
def statement_list(request):
    return coming_soon(
        request,
        base=BASE,
        title="Commission Statements",
        summary="Monthly commission statements for each of your Broker IDs, for the last "
        "18 months, as PDF and Excel.",
    )
