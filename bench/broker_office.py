"""Manage Accounts: broker@'s office staff list, as the broker pages and searches it.

The seed gives broker@'s office four staff users per unit of --scale (about a hundred at the
default scale 26, a thousand at 265); an office is small next to a book of business, so the
page uses Django's Paginator (a COUNT and an OFFSET) and these scenarios keep it honest.
"""

from bench import scenario
from portal.accounts.models import Role, User

STAFF_LIST = "/brokers/account/staff/"


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _last_page(ctx):
    office_size = User.objects.filter(
        role=Role.BROKER_STAFF, groups__broker__user__email="broker@demo.test"
    ).count()
    return max(1, -(-office_size // 25))


@scenario("broker-staff-list-first-page", baseline="bare-view", repeat=200)
def staff_list_first_page(ctx):
    """Manage Accounts as broker@: the first page, sorted by email."""
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, STAFF_LIST)


@scenario("broker-staff-list-last-page", baseline="bare-view", repeat=200)
def staff_list_last_page(ctx):
    """Manage Accounts as broker@: the last page, newest first."""
    client = ctx.client_for("broker@demo.test")
    path = f"{STAFF_LIST}?sort=-created&page={_last_page(ctx)}"
    return lambda: _get(client, path)


@scenario("broker-staff-list-search", baseline="bare-view", repeat=200)
def staff_list_search(ctx):
    """Manage Accounts as broker@: locked users whose email contains "office1"."""
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, f"{STAFF_LIST}?email=office1&status=locked")
