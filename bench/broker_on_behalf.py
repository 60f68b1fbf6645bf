"""The employer's tools as broker@ works them on the employer's behalf, against the same pages
as employer@ sees them (bench/employer_enrollment.py, bench/employer_payments.py): Manage
Enrollment's first page and a member's page, and Make a Payment for one suffix.

broker@'s office holds perform_enrollment on two of employer@'s three suffixes (the demo's
grant), so its list is scoped by the office-grant index rather than an administrator's
employer; the pay page needs pay_bill, which the setup grants on employer@'s first suffix as the
demo does (employers/demo_on_behalf.py), for scale databases built before it.
"""

from bench import scenario
from employers import payment_selectors, selectors
from employers.demo_on_behalf import PAYING_FUNCTIONS
from employers.services import broker_access_grant
from portal.accounts.models import User

BROKER = "broker@demo.test"
EMPLOYER = "employer@demo.test"


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _broker():
    return User.objects.get(email=BROKER)


@scenario("broker-enrollment-first-page", baseline="bare-view", repeat=200)
def enrollment_first_page(ctx):
    """broker@'s Manage Enrollment for employer@'s granted suffixes, first page, by name."""
    if not selectors.enrollment_groups_for(_broker(), "perform_enrollment").exists():
        raise RuntimeError("broker@ holds perform_enrollment on no group: seed the demo first")
    client = ctx.client_for(BROKER)
    return lambda: _get(client, "/brokers/enrollment/")


@scenario("broker-enrollment-member", baseline="bare-view", repeat=200)
def enrollment_member(ctx):
    """A member's page (family, coverage, history) as broker@, audited."""
    member = selectors.subscribers_search_for(_broker()).first()
    client = ctx.client_for(BROKER)
    return lambda: _get(client, f"/brokers/enrollment/members/{member.pk}/")


@scenario("broker-payment-make", baseline="bare-view", repeat=100)
def payment_make(ctx):
    """Make a Payment for employer@'s first suffix as broker@: its open bills, the employer's
    accounts."""
    employer = User.objects.get(email=EMPLOYER)
    group = selectors.groups_for(employer).order_by("number").first()
    broker = _broker()
    if not payment_selectors.payer_groups(broker).filter(pk=group.pk).exists():
        broker_access_grant(
            group=group, broker=broker.broker, functions=PAYING_FUNCTIONS, by=employer
        )
    client = ctx.client_for(BROKER)
    return lambda: _get(client, f"/brokers/billing/groups/{group.pk}/pay/")
