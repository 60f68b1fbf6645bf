from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brokers import access, charts, selectors
from brokers.access import Tool, broker_portal
from brokers.forms.eligibility import EligibilityForm
from portal.activity.selectors import recent_activity_for
from portal.dates import last_months

# The dashboard's chart of the book: active subscribers on the first of each of these months.
BOOK_CHART_MONTHS = 12
BOOK_CHART_CACHE_SECONDS = 24 * 60 * 60


@require_GET
@broker_portal
def home(request):
    broker = access.broker_for(request.user)
    can_see_book = request.user.has_perm(Tool.BOOK_OF_BUSINESS)
    context = {
        "broker": broker,
        "group_count": selectors.office_groups(request.user).count() if can_see_book else None,
        "can_view_commissions": access.can_view_commissions(request.user),
        "recent_activity": recent_activity_for(request.user),
    }
    if can_see_book:
        context["book_chart"] = charts.monthly_bar_chart(_book_by_month(request.user))
    if request.user.has_perm(Tool.ELIGIBILITY):
        context["quick_form"] = EligibilityForm(auto_id="quick_%s")
    return render(request, "brokers/home.html", context)


def _book_by_month(user):
    """The chart's numbers, counted once a day for each user.

    Counting scans every coverage of the book: about 0.2 s for broker@'s 500 groups at bench
    scale 26, seconds at a million members. The numbers are of whole months, so a day old is
    fresh enough; the chart says when they were counted.
    """
    today = timezone.localdate()
    key = f"brokers:book-by-month:{user.pk}:{today.isoformat()}"
    return cache.get_or_set(
        key,
        lambda: selectors.active_subscribers_by_month(user, last_months(today, BOOK_CHART_MONTHS)),
        timeout=BOOK_CHART_CACHE_SECONDS,
    )
