"""Changes asked from a bill (billing.bill_changes): a roster change goes through the enrollment
services and shows pending until the next bill; an amount request waits, one a bill, for ops,
whose approval keeps the bill's figures adding up; billing preferences are recorded before and
after. The admin's verification queue, as an ops user."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from billing import bill_changes
from billing.bill_changes import BillChangeError
from billing.models import AmountChangeRequest, BillingPreferences, Invoice, InvoiceLine
from enrollment import services as enrollment_services
from enrollment.models import Coverage, EnrollmentEvent
from enrollment.services import EnrollmentError
from portal import tasks
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests import factories as f

D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today():
    # 20:00 UTC is the same calendar day in the portal's time zone.
    with time_machine.travel(datetime.datetime(2026, 11, 15, 20, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def bill(cast):
    """groupadmin@'s suffix's November bill (issued 10/15): $100 forward, $1,000 current, -$5
    adjusted, $100 paid: $995 due."""
    return f.InvoiceFactory(
        group=cast.employer_groups[0],
        number="OWN-2611",
        balance_forward=Decimal("100.00"),
        current_amount=Decimal("1000.00"),
        adjustments=Decimal("-5.00"),
        payments=Decimal("100.00"),
    )


def _on_bill(bill, member):
    f.CoverageFactory(member=member, tier=Coverage.Tier.FAMILY, start_date=D(2024, 1, 1))
    f.RosterLineFactory(invoice=bill, member=member)
    return member


@pytest.fixture
def family(bill):
    employee = _on_bill(bill, f.MemberFactory(group=bill.group, last_name="Lovelace"))
    child = _on_bill(bill, f.DependentFactory(subscriber=employee, last_name="Lovelace"))
    return employee, child


def _adds_up(invoice):
    invoice.refresh_from_db()
    figures = invoice.balance_forward + invoice.current_amount + invoice.adjustments
    return figures - invoice.payments == invoice.balance_due


# -- roster changes ---------------------------------------------------------------------------


def test_a_roster_change_ends_coverage_through_enrollment_and_shows_pending(
    cast, bill, family, django_capture_on_commit_callbacks
):
    employee, child = family
    with django_capture_on_commit_callbacks(execute=True):
        bill_changes.roster_change_report(
            invoice=bill,
            member=employee,
            end_date=D(2026, 11, 3),
            reason="employment_ended",
            by=cast.groupadmin,
        )

    # An enrollment change like any other: events for the family, coverage ended, notices.
    events = EnrollmentEvent.objects.filter(kind=EnrollmentEvent.Kind.CANCEL)
    assert {e.member_id for e in events} == {employee.pk, child.pk}
    assert events.get(member=employee).details["reason"] == "employment_ended"
    assert set(Coverage.objects.values_list("end_date", flat=True)) == {D(2026, 11, 3)}
    assert Activity.objects.filter(summary__startswith="Enrollment change in group").exists()
    pending = bill_changes.pending_roster_changes(bill)
    assert {(p.member, p.ends_on) for p in pending} == {
        (employee, D(2026, 11, 3)),
        (child, D(2026, 11, 3)),
    }
    # Nothing is written on the bill itself.
    assert InvoiceLine.objects.filter(invoice=bill, kind="adjustment").count() == 0


def test_a_roster_change_the_rules_refuse_changes_nothing(cast, bill, family):
    employee, _ = family
    with pytest.raises(EnrollmentError, match="no earlier than"):
        bill_changes.roster_change_report(
            invoice=bill, member=employee, end_date=D(2026, 1, 1), reason="other", by=cast.employer
        )
    assert not EnrollmentEvent.objects.exists()
    assert not Coverage.objects.filter(end_date__isnull=False).exists()
    assert bill_changes.pending_roster_changes(bill) == []


def test_a_member_who_is_not_on_the_bill_is_refused(cast, bill):
    stranger = f.MemberFactory(group=bill.group)
    f.CoverageFactory(member=stranger)
    with pytest.raises(EnrollmentError, match="not on bill OWN-2611"):
        bill_changes.roster_change_report(
            invoice=bill, member=stranger, end_date=D(2026, 11, 3), reason="other", by=cast.employer
        )
    assert not EnrollmentEvent.objects.exists()


def test_pending_counts_only_changes_after_the_bill_that_reach_into_its_period(cast, bill, family):
    employee, child = family
    # An end after the period is the next bill's business, not this one's.
    enrollment_services.coverage_cancel(member=child, end_date=D(2026, 12, 31), by=cast.employer)
    assert bill_changes.pending_roster_changes(bill) == []
    # A bill issued after the change already knew of it.
    later_bill = f.InvoiceFactory(
        group=bill.group,
        period_start=D(2026, 12, 1),
        period_end=D(2027, 1, 31),
        issued_on=D(2026, 11, 16),
        due_date=D(2026, 12, 1),
    )
    f.RosterLineFactory(invoice=later_bill, member=child)
    assert bill_changes.pending_roster_changes(later_bill) == []


def test_a_reinstated_member_is_no_longer_pending(cast, bill, family):
    employee, _ = family
    enrollment_services.coverage_cancel(member=employee, end_date=D(2026, 11, 3), by=cast.employer)
    assert len(bill_changes.pending_roster_changes(bill)) == 2
    enrollment_services.coverage_reinstate(member=employee, by=cast.employer)
    assert bill_changes.pending_roster_changes(bill) == []


# -- amount changes ---------------------------------------------------------------------------


def _request(bill, user, amount="900.00", reason="We paid the October premium twice."):
    return bill_changes.amount_change_request(
        invoice=bill, requested_amount=Decimal(amount), reason=reason, by=user
    )


@pytest.mark.parametrize("amount, difference", [("900.00", "-95.00"), ("1234.56", "239.56")])
def test_approving_adds_the_difference_as_an_adjustment_and_the_bill_still_adds_up(
    cast, bill, amount, difference, mailoutbox, django_capture_on_commit_callbacks
):
    # given a pending request
    change = _request(bill, cast.groupadmin, amount)
    assert change.status == AmountChangeRequest.Status.PENDING

    # when ops approve it
    with (
        mock.patch.object(tasks.send_email, "delay", wraps=tasks.send_email.delay) as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        bill_changes.amount_change_approve(change_request=change, by=cast.ops, note="Verified.")

    # then the bill asks for the amount, its adjustment line says by how much, the sum holds
    bill.refresh_from_db()
    assert bill.balance_due == Decimal(amount)
    assert bill.adjustments == Decimal("-5.00") + Decimal(difference)
    assert _adds_up(bill)
    line = InvoiceLine.objects.get(invoice=bill, kind=InvoiceLine.Kind.ADJUSTMENT)
    assert line.amount == Decimal(difference)
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == (
        "approved",
        cast.ops,
        "Verified.",
    )
    # and the requester is told, by email through Celery (text and HTML) and Recent Activity
    assert queued.call_count == 1
    [sent] = mailoutbox
    assert sent.to == [cast.groupadmin.email]
    assert "approved" in sent.subject and "OWN-2611" in sent.subject
    assert f"${Decimal(amount):,.2f}" in sent.body and "Verified." in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and "Verified." in html
    assert Activity.objects.filter(
        recipient=cast.groupadmin, summary__contains="was approved", link__endswith=f"/{bill.pk}/"
    ).exists()
    assert AuditEvent.objects.filter(
        user=cast.ops, object_type="billing.AmountChangeRequest", object_id=str(change.pk)
    ).exists()


def test_rejecting_records_the_note_keeps_the_bill_and_tells_the_requester(
    cast, bill, mailoutbox, django_capture_on_commit_callbacks
):
    change = _request(bill, cast.employer)
    with pytest.raises(BillChangeError, match="Say why"):
        bill_changes.amount_change_reject(change_request=change, by=cast.ops, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        bill_changes.amount_change_reject(
            change_request=change, by=cast.ops, note="The October payment was returned."
        )
    change.refresh_from_db()
    assert change.status == "rejected"
    assert change.decision_note == "The October payment was returned."
    bill.refresh_from_db()
    assert (bill.balance_due, bill.adjustments) == (Decimal("995.00"), Decimal("-5.00"))
    assert not InvoiceLine.objects.filter(invoice=bill).exists()
    [sent] = mailoutbox
    assert "declined" in sent.subject and "The October payment was returned." in sent.body
    assert "The October payment was returned." in sent.alternatives[0][0]
    assert Activity.objects.filter(recipient=cast.employer, summary__contains="declined").exists()


def test_one_pending_request_a_bill_and_a_new_one_once_it_is_decided(cast, bill):
    first = _request(bill, cast.groupadmin)
    with pytest.raises(BillChangeError, match="already waiting for verification"):
        _request(bill, cast.employer, "800.00")
    assert AmountChangeRequest.objects.count() == 1
    bill_changes.amount_change_reject(change_request=first, by=cast.ops, note="No.")
    second = _request(bill, cast.employer, "800.00")
    assert second.status == "pending"
    # A request is decided once.
    bill_changes.amount_change_approve(change_request=second, by=cast.ops)
    with pytest.raises(BillChangeError, match="already approved"):
        bill_changes.amount_change_reject(change_request=second, by=cast.ops, note="Oops")
    assert _adds_up(bill)


def test_only_the_latest_bill_can_change_its_amount(cast, bill):
    """A later bill carried this one's balance forward: changing it would break the chain of
    balances, so the request is refused and, if the later bill came after the request, so is
    the approval."""
    pending = _request(bill, cast.employer)
    later = f.InvoiceFactory(
        group=bill.group,
        number="OWN-2612",
        period_start=D(2026, 12, 1),
        period_end=D(2026, 12, 31),
        issued_on=D(2026, 11, 15),
        due_date=D(2026, 12, 1),
    )

    with pytest.raises(BillChangeError, match="OWN-2612 has already carried"):
        _request(bill, cast.groupadmin, "800.00")
    with pytest.raises(BillChangeError, match="decline the request"):
        bill_changes.amount_change_approve(change_request=pending, by=cast.ops)

    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not bill.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT).exists() and _adds_up(bill)
    assert _request(later, cast.employer, "1.00").invoice == later


@pytest.mark.parametrize(
    "amount, reason, message",
    [
        ("995.00", "Because", "already this bill's balance due"),
        ("-1.00", "Because", "can't be negative"),
        ("900.00", "   ", "Say why"),
    ],
)
def test_a_request_the_rules_refuse_is_not_recorded(cast, bill, amount, reason, message):
    with pytest.raises(BillChangeError, match=message):
        _request(bill, cast.employer, amount, reason)
    assert not AmountChangeRequest.objects.exists()


# -- billing preferences ----------------------------------------------------------------------


def test_billing_preferences_are_recorded_before_and_after_and_told_to_client_admins(cast):
    employer = cast.employer_groups[0].parent.employer
    assert bill_changes.billing_preferences_of(employer).paper_billing is True

    preferences, changes = bill_changes.billing_preferences_update(
        employer=employer,
        paper_billing=False,
        bills_by_email=True,
        email="ap@cypress.test",
        by=cast.employer,
        notify=[cast.employer],
    )

    assert changes == [
        ("Paper bills by mail", "on", "off"),
        ("Bills by email", "off", "on (ap@cypress.test)"),
    ]
    stored = BillingPreferences.objects.get(employer=employer)
    assert (stored.paper_billing, stored.bills_by_email, stored.email) == (
        False,
        True,
        "ap@cypress.test",
    )
    assert stored.updated_by == cast.employer
    entry = LogEntry.objects.get(object_id=str(preferences.pk))
    assert "Paper bills by mail: on → off" in entry.change_message
    assert AuditEvent.objects.filter(
        user=cast.employer, object_type="billing.BillingPreferences"
    ).exists()
    assert Activity.objects.filter(
        recipient=cast.employer, summary__contains="Paper bills by mail: on → off"
    ).exists()

    # Saving the same again records nothing more.
    _, changes = bill_changes.billing_preferences_update(
        employer=employer,
        paper_billing=False,
        bills_by_email=True,
        email="ap@cypress.test",
        by=cast.employer,
        notify=[cast.employer],
    )
    assert changes == []
    assert LogEntry.objects.count() == 1 and Activity.objects.count() == 1


def test_bills_by_email_need_an_address(cast):
    employer = cast.employer_groups[0].parent.employer
    with pytest.raises(BillChangeError, match="address"):
        bill_changes.billing_preferences_update(
            employer=employer, paper_billing=True, bills_by_email=True, email=" ", by=cast.employer
        )
    assert not BillingPreferences.objects.exists()


# -- the admin's verification queue -----------------------------------------------------------

CHANGELIST = reverse("admin:billing_amountchangerequest_changelist")


def test_ops_see_pending_requests_first_with_the_bills_figures(client, cast, bill):
    older = _request(bill, cast.employer, "900.00")
    bill_changes.amount_change_approve(change_request=older, by=cast.ops)
    other_bill = f.InvoiceFactory(group=cast.employer_groups[1], number="SIB-2611")
    waiting = _request(other_bill, cast.employer, "10.00")
    client.force_login(cast.ops)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows == [waiting, older]
    assert "-2825.66" in response.text  # the difference the approval would add
    detail = client.get(reverse("admin:billing_amountchangerequest_change", args=[waiting.pk]))
    assert detail.status_code == 200 and "Balance due now" in detail.text
    assert "Save" not in detail.text.split("submit-row", 1)[-1][:200]


def test_ops_approve_from_the_admin_with_a_note(
    client, cast, bill, mailoutbox, django_capture_on_commit_callbacks
):
    change = _request(bill, cast.groupadmin, "900.00")
    client.force_login(cast.ops)
    form = {"action": "approve", ACTION_CHECKBOX_NAME: [change.pk]}

    # The action first shows the figures and asks for a note; nothing is decided yet.
    page = client.post(CHANGELIST, form)
    assert page.status_code == 200 and "Approve 1 request" in page.text and "995.00" in page.text
    change.refresh_from_db()
    assert change.status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {**form, "decision_note_submitted": "1", "note": "Checked the ledger."}
        )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == (
        "approved",
        cast.ops,
        "Checked the ledger.",
    )
    assert Invoice.objects.get(pk=bill.pk).balance_due == Decimal("900.00")
    assert len(mailoutbox) == 1


def test_ops_reject_only_with_a_note(client, cast, bill):
    change = _request(bill, cast.groupadmin)
    client.force_login(cast.ops)
    form = {"action": "reject", ACTION_CHECKBOX_NAME: [change.pk], "decision_note_submitted": "1"}

    refused = client.post(CHANGELIST, {**form, "note": ""})
    assert refused.status_code == 200 and "This field is required." in refused.text
    change.refresh_from_db()
    assert change.status == "pending"

    client.post(CHANGELIST, {**form, "note": "Your payment was returned."})
    change.refresh_from_db()
    assert (change.status, change.decision_note) == ("rejected", "Your payment was returned.")


def test_read_only_ops_cannot_decide(client, cast, bill):
    from django.contrib.auth.models import Group as AuthGroup

    support = f.UserFactory(email="support@demo.test", role="ops", is_staff=True)
    support.groups.add(AuthGroup.objects.get(name="Ops: support (read-only)"))
    change = _request(bill, cast.groupadmin)
    client.force_login(support)
    assert client.get(CHANGELIST).status_code == 200
    client.post(
        CHANGELIST,
        {
            "action": "approve",
            ACTION_CHECKBOX_NAME: [change.pk],
            "decision_note_submitted": "1",
            "note": "",
        },
    )
    change.refresh_from_db()
    assert change.status == "pending"
