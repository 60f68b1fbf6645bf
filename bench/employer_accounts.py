"""Manage Accounts (View and Edit Users): employer@'s list of the administrators they manage.

The seed gives employer@'s employer four group administrators and delegates per unit of
--scale (about a hundred at the default scale 26, a thousand at 265). Like the broker's staff
list it uses Django's Paginator (a COUNT and an OFFSET), plus one query for the page's groups;
these scenarios keep that honest.
"""

from bench import scenario
from employers.models import EmployerAdmin

USER_LIST = "/employers/accounts-reports/users/"


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _last_page(ctx):
    primary = EmployerAdmin.objects.get(user__email="employer@demo.test")
    users = EmployerAdmin.objects.filter(employer_id=primary.employer_id).count() - 1
    return max(1, -(-users // 25))


@scenario("employer-user-list-first-page", baseline="bare-view", repeat=200)
def user_list_first_page(ctx):
    """View and Edit Users as employer@: the first page, sorted by email."""
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, USER_LIST)


@scenario("employer-user-list-last-page", baseline="bare-view", repeat=200)
def user_list_last_page(ctx):
    """View and Edit Users as employer@: the last page, newest first."""
    client = ctx.client_for("employer@demo.test")
    path = f"{USER_LIST}?sort=-created&page={_last_page(ctx)}"
    return lambda: _get(client, path)


@scenario("employer-user-list-search", baseline="bare-view", repeat=200)
def user_list_search(ctx):
    """View and Edit Users as employer@: locked users whose email contains "admin1"."""
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{USER_LIST}?email=admin1&status=locked")
