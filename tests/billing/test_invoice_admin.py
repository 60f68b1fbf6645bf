"""Regenerate a bill from the admin: ops with the administrator role see what would change, confirm,
and the bill is rebuilt and audited; read-only ops get 403, everyone else never reaches it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse

from billing import generation
from billing.models import Invoice, InvoiceLine, PremiumRate
from enrollment.models import Coverage
from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from tests.factories import CoverageFactory, MemberFactory, PlanFactory, UserFactory

NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)


@pytest.fixture
def bill(cast):
    """employer@'s first suffix billed for November and December; then the one subscriber's
    coverage is ended on 11/03, which December's bill does not show yet."""
    group = cast.employer_groups[0]
    plan = PlanFactory()
    PremiumRate.objects.create(
        plan=plan, tier="EE", effective_date=datetime.date(2026, 1, 1), monthly_premium=500
    )
    member = MemberFactory(group=group, plan=plan, last_name="Okafor", first_name="Ben")
    CoverageFactory(member=member, plan=plan, start_date=datetime.date(2026, 1, 1))
    november = generation.invoice_generate(group_id=group.pk, period=NOV)
    december = generation.invoice_generate(group_id=group.pk, period=DEC)
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))
    return {"november": november, "december": december}


def _url(invoice):
    return reverse("admin:billing_invoice_regenerate", args=[invoice.pk])


def _client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def support(db):
    user = UserFactory(email="support@demo.test", role=Role.OPS, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name="Ops: support (read-only)"))
    return user


def test_ops_see_the_button_and_what_regenerating_would_change(client, cast, bill):
    december = bill["december"]
    client = _client(client, cast.ops)

    page = client.get(reverse("admin:billing_invoice_change", args=[december.pk]))
    confirmation = client.get(_url(december))

    assert _url(december).encode() in page.content
    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert f"Regenerate bill {december.number}" in text
    assert "Retroactive credit for Okafor, Ben" in text
    assert "-450.00" in text
    assert b'value="Regenerate bill' in confirmation.content
    # Looking changes nothing.
    december.refresh_from_db()
    assert december.balance_due == Decimal("1000.00")
    assert not AuditEvent.objects.filter(object_type="billing.Invoice").exists()


def test_ops_confirm_and_the_bill_is_rebuilt_and_audited(client, cast, bill):
    december = bill["december"]

    response = _client(client, cast.ops).post(_url(december), follow=True)

    december.refresh_from_db()
    assert december.adjustments == Decimal("-450.00")
    assert december.current_amount == 0
    assert december.balance_due == Decimal("50.00")
    assert december.lines.get().kind == InvoiceLine.Kind.ADJUSTMENT
    event = AuditEvent.objects.get(object_type="billing.Invoice", object_id=str(december.pk))
    assert (event.user, event.action) == (cast.ops, AuditEvent.Action.CHANGE)
    history = LogEntry.objects.get(object_id=str(december.pk))
    assert "Balance due 1000.00 → 50.00" in history.get_change_message()
    assert f"Bill {december.number} regenerated" in response.content.decode()


def test_a_refused_regeneration_says_why_and_changes_nothing(client, cast, bill):
    november = bill["november"]
    client = _client(client, cast.ops)

    confirmation = client.get(_url(november))
    response = client.post(_url(november), follow=True)

    assert "cannot be regenerated" in confirmation.content.decode()
    assert b'value="Regenerate bill' not in confirmation.content
    assert "Not regenerated: Only the group&#x27;s latest bill" in response.content.decode()
    november.refresh_from_db()
    assert november.current_amount == Decimal("500.00")
    assert not AuditEvent.objects.filter(object_type="billing.Invoice").exists()


def test_read_only_ops_get_403_and_no_button(client, bill, support):
    december = bill["december"]
    client = _client(client, support)

    page = client.get(reverse("admin:billing_invoice_change", args=[december.pk]))

    assert page.status_code == 200
    assert _url(december).encode() not in page.content
    assert client.get(_url(december)).status_code == 403
    assert client.post(_url(december)).status_code == 403
    december.refresh_from_db()
    assert december.balance_due == Decimal("1000.00")


@pytest.mark.parametrize("role", ["employer", "broker", "provider"])
def test_users_who_are_not_ops_never_reach_it(client, cast, bill, role):
    december = bill["december"]
    client = _client(client, getattr(cast, role))

    for response in (client.get(_url(december)), client.post(_url(december))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    december.refresh_from_db()
    assert december.balance_due == Decimal("1000.00")


def test_anonymous_is_sent_to_log_in_and_an_unknown_bill_is_404(client, cast, bill):
    assert client.get(_url(bill["december"])).status_code == 302
    missing = reverse("admin:billing_invoice_regenerate", args=[Invoice.objects.count() + 99])
    assert _client(client, cast.ops).get(missing).status_code == 404


def test_ops_list_premium_rates(client, cast, bill):
    response = _client(client, cast.ops).get(reverse("admin:billing_premiumrate_changelist"))

    assert response.status_code == 200
    assert b"500.00" in response.content
