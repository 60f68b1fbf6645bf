"""Manage Users as provider@: the first and last page, a search, and a user's page.

The seed gives provider@'s medical group a handful of users; a large practice has hundreds, so
the setup tops the organisation up to USERS end users (eligibility on one or both Tax IDs, some
with Claims Inquiry) before timing. The list uses Django's Paginator (a COUNT and an OFFSET)
plus one query for the page's Tax IDs, like the broker's and employer's user lists.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection

from bench import scenario
from portal.accounts.models import Role, User
from providers.models import ProviderUser, TaxId, TaxIdUserObjectPermission

LIST = "/providers/account/users/"
PER_PAGE = 25
USERS = 300


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _organization_users():
    """provider@'s organisation, topped up to USERS users; returns its Tax IDs."""
    admin = ProviderUser.objects.get(user__email="provider@demo.test")
    tax_ids = list(TaxId.objects.filter(organization_id=admin.organization_id).order_by("number"))
    have = ProviderUser.objects.filter(organization_id=admin.organization_id).count()
    missing = max(0, USERS - have)
    if missing:
        password = make_password(None)  # unusable: nobody signs in as them
        users = User.objects.bulk_create(
            User(
                email=f"bench.provider.user{n:04}@demo.test",
                first_name=f"Bench{n:04}",
                last_name=f"Clerk{n % 37:02}",
                role=Role.PROVIDER_USER,
                password=password,
            )
            for n in range(have, have + missing)
        )
        ProviderUser.objects.bulk_create(
            ProviderUser(user=user, organization_id=admin.organization_id, created_by=admin.user)
            for user in users
        )
        perms = {
            p.codename: p
            for p in Permission.objects.filter(content_type__app_label="providers")
            if p.codename in ("check_eligibility", "inquire_claims")
        }
        grants = []
        for n, user in enumerate(users):
            for tax_id in tax_ids[: 1 + n % len(tax_ids)]:
                grants.append(
                    TaxIdUserObjectPermission(
                        user=user, content_object=tax_id, permission=perms["check_eligibility"]
                    )
                )
                if n % 3 == 0:
                    grants.append(
                        TaxIdUserObjectPermission(
                            user=user, content_object=tax_id, permission=perms["inquire_claims"]
                        )
                    )
        TaxIdUserObjectPermission.objects.bulk_create(grants)
        # As autovacuum would soon: planned on the empty tables' statistics, the list joined
        # 300 users to 300 grants in nested loops.
        with connection.cursor() as cursor:
            for model in (User, ProviderUser, TaxIdUserObjectPermission):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return tax_ids


@scenario("provider-user-list-first-page", baseline="bare-view", repeat=200)
def user_list_first_page(ctx):
    """Manage Users as provider@: the first page, sorted by email."""
    _organization_users()
    client = ctx.client_for("provider@demo.test")
    return lambda: _get(client, LIST)


@scenario("provider-user-list-last-page", baseline="bare-view", repeat=200)
def user_list_last_page(ctx):
    """Manage Users as provider@: the last page, newest first."""
    _organization_users()
    client = ctx.client_for("provider@demo.test")
    last = -(-USERS // PER_PAGE)
    return lambda: _get(client, f"{LIST}?sort=-created&page={last}")


@scenario("provider-user-list-search", baseline="bare-view", repeat=200)
def user_list_search(ctx):
    """Manage Users as provider@: name or email containing "clerk1" under the second Tax ID."""
    tax_ids = _organization_users()
    client = ctx.client_for("provider@demo.test")
    return lambda: _get(client, f"{LIST}?q=clerk1&tax_id={tax_ids[-1].pk}")


@scenario("provider-user-detail", baseline="bare-view", repeat=200)
def user_detail(ctx):
    """A user's page as provider@: their access form with the organisation's providers."""
    _organization_users()
    client = ctx.client_for("provider@demo.test")
    target = User.objects.get(email="provideruser@demo.test")
    return lambda: _get(client, f"{LIST}{target.pk}/")
