"""Assumed Identity and account support, as support@.

What assuming costs: broker@'s Book of Business seen by support@ as broker@ (the middleware's
lookups and the page's audit row on top of the page; compare with book-first-page), and the
support history's admin list with the log topped up to SUPPORT_ACTIONS rows. A bench database
seeded before support@ existed gets them here.
"""

import datetime

from django.contrib.auth.models import Group as AuthGroup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import scenario
from bench.book import BOOK, BROKER, QUERY
from bench.book import _get as book_get
from portal.accounts import ops_roles
from portal.accounts.models import Role, SupportAction, User

SUPPORT = "support@demo.test"
SUPPORT_ACTIONS = 20_000


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _support():
    agent, _ = User.objects.get_or_create(
        email=SUPPORT, defaults={"role": Role.OPS, "is_staff": True, "first_name": "Sam"}
    )
    agent.groups.add(
        *AuthGroup.objects.filter(name__in=[ops_roles.SUPPORT, ops_roles.ACCOUNT_SUPPORT])
    )
    return agent


@scenario("assumed-identity-book-first-page", baseline="bare-view", repeat=200)
def assumed_book(ctx):
    """Book of Business, first page, seen by support@ as broker@ (audited, read-only)."""
    agent = _support()
    broker = User.objects.get(email=BROKER)
    client = Client()
    client.force_login(agent)
    response = client.post(
        reverse("admin:accounts_user_assume", args=[broker.pk]), {"reason": "bench"}
    )
    if response.status_code != 302:
        raise RuntimeError(f"assuming broker@ answered {response.status_code}")
    return lambda: book_get(client, BOOK, QUERY)


@scenario("support-action-list", baseline="bare-view", repeat=100)
def support_action_list(ctx):
    """Support actions in the admin as support@ (account support reads them), newest first."""
    agent = _support()
    missing = SUPPORT_ACTIONS - SupportAction.objects.count()
    if missing > 0:
        users = list(
            User.objects.filter(is_staff=False).order_by("pk").values_list("pk", flat=True)[:2000]
        )
        now = timezone.now()
        SupportAction.objects.bulk_create(
            SupportAction(
                kind=SupportAction.Kind.UNLOCK,
                agent=agent,
                user_id=users[n % len(users)],
                reason="bench",
                at=now - datetime.timedelta(minutes=7 * n),
            )
            for n in range(missing)
        )
    client = ctx.client_for(SUPPORT)
    return lambda: _get(client, "/admin/accounts/supportaction/")
