"""The broker portal's other list pages as broker@ pages through them: a large group's
subscriber list, the IFP application status list, Forms & Brochures and Commission Statements.

The subscriber list pages with Django's Paginator (a COUNT and an OFFSET): a group is at most a
few tens of thousands of subscribers, where both stay small; the last page shows what depth
costs. Every view of a subscriber list is audited, so each run also writes 25 audit rows.
"""

from django.db.models import Count, Q
from django.utils import timezone

from bench import scenario
from brokers.selectors import groups_for
from commissions.models import RETENTION_MONTHS
from enrollment.models import Member
from portal.accounts.models import User
from portal.dates import add_months

SUBSCRIBERS_PER_PAGE = 25


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _largest_group_of_broker():
    """broker@'s suffix with the most subscribers."""
    book = groups_for(User.objects.get(email="broker@demo.test"), "view_roster")
    subscribers = Count("members", filter=Q(members__relationship="subscriber"))
    return book.annotate(subscribers=subscribers).order_by("-subscribers").first()


def _subscriber_list(ctx, page):
    client = ctx.client_for("broker@demo.test")
    group = _largest_group_of_broker()
    count = Member.objects.filter(group=group, relationship="subscriber").count()
    last = max(1, -(-count // SUBSCRIBERS_PER_PAGE))
    path = f"/brokers/groups/{group.pk}/subscribers/?page={last if page == 'last' else 1}"
    return lambda: _get(client, path)


@scenario("subscriber-list-first-page", baseline="bare-view", repeat=200)
def subscriber_list_first_page(ctx):
    """broker@'s largest group's subscribers, first page."""
    return _subscriber_list(ctx, "first")


@scenario("subscriber-list-last-page", baseline="bare-view", repeat=200)
def subscriber_list_last_page(ctx):
    """broker@'s largest group's subscribers, last page."""
    return _subscriber_list(ctx, "last")


@scenario("application-list", baseline="bare-view", repeat=200)
def application_list(ctx):
    """IFP application status for broker@'s Broker ID, pending information, newest first."""
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, "/brokers/eligibility/applications/?status=pending_info")


@scenario("document-list", baseline="bare-view", repeat=200)
def document_list(ctx):
    """Forms & Brochures, small group market, newest first."""
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, "/brokers/sales-resources/?market=small_group&sort=-published")


@scenario("commission-statement-list", baseline="bare-view", repeat=200)
def commission_statement_list(ctx):
    """Commission Statements as broker@: all 18 months of the window, every report type."""
    client = ctx.client_for("broker@demo.test")
    today = timezone.localdate()
    start = add_months(today, 1 - RETENTION_MONTHS).strftime("%Y-%m")
    path = f"/brokers/commission-statements/?start={start}&end={today:%Y-%m}"
    return lambda: _get(client, path)
