"""Reads for Pay My Bill's payments: the employer's payment accounts, the bills an administrator
may pay, recurring payments and submissions, each scoped to the user (404 for anything else).

Paying is the `pay_bill` function, per group. Payment accounts belong to the employer: anyone
who may pay a bill of any of its groups uses and manages them.
"""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404

from billing.models import Invoice, Payment, PaymentAccount, PaymentSubmission, RecurringPayment
from billing.payments import with_payable
from employers import access

PAY = "pay_bill"


def payer_groups(user):
    """The employer's groups whose bills `user` may pay."""
    return access.visible_groups(user, PAY)


def employer_of(user):
    admin = access.admin_for(user)
    return admin.employer if admin else None


def payment_accounts_for(user):
    """The employer's active payment accounts, for someone who may pay any of its bills."""
    admin = access.admin_for(user)
    if admin is None:
        return PaymentAccount.objects.none()
    return PaymentAccount.objects.filter(
        employer_id=admin.employer_id, removed_at__isnull=True
    ).order_by("nickname", "pk")


def get_payment_account_for(user, pk):
    return get_object_or_404(payment_accounts_for(user), pk=pk)


def payable_invoices_for(user):
    """The bills of the groups `user` may pay that may still take a payment, each with
    `payable`; by group, then oldest first."""
    invoices = Invoice.objects.filter(group__in=payer_groups(user))
    return (
        with_payable(invoices)
        .filter(payable__gt=0)
        .select_related("group__parent")
        .order_by("group__number", "period_start", "pk")
    )


def recurring_payments_for(user):
    """The active recurring payments of the groups `user` may pay."""
    return (
        RecurringPayment.objects.filter(group__in=payer_groups(user), cancelled_at__isnull=True)
        .select_related("group", "account", "created_by")
        .order_by("group__number", "pk")
    )


def get_recurring_payment_for(user, pk):
    return get_object_or_404(recurring_payments_for(user), pk=pk)


def get_submission_for(user, pk):
    """A submission of the user's employer all of whose payments are of groups the user may
    pay; 404 for any other (a sibling suffix's payment is as good as one that doesn't exist)."""
    admin = access.admin_for(user)
    if admin is None:
        raise Http404
    elsewhere = Payment.objects.filter(submission=OuterRef("pk")).exclude(
        group__in=payer_groups(user)
    )
    submissions = PaymentSubmission.objects.filter(employer_id=admin.employer_id).exclude(
        Exists(elsewhere)
    )
    return get_object_or_404(submissions.select_related("submitted_by"), pk=pk)


def submission_payments(submission):
    return submission.payments.select_related("invoice", "group", "account").order_by("pk")
