"""Reads for Pay My Bill's payments: the employer's payment accounts, the bills an administrator
may pay, recurring payments and submissions, each scoped to the user (404 for anything else).

Paying is the `pay_bill` function, per group. Payment accounts belong to the employer: anyone
of the employer who may pay a bill of any of its groups uses and manages them.

A broker office the employer granted pay_bill on a group pays that group's bills, from the
employer's saved accounts only: it never adds, renames or removes an account, and sees an
account by its nickname and last four digits, never its routing number.
"""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404

from billing.models import Invoice, Payment, PaymentAccount, PaymentSubmission, RecurringPayment
from billing.payments import with_payable
from employers import access

PAY = "pay_bill"


def payer_groups(user):
    """The groups whose bills `user` may pay: an administrator's, or those whose employer
    granted the user's broker office pay_bill (access.function_groups)."""
    return access.function_groups(user, PAY)


def get_payer_group_for(user, pk):
    """A group whose bills `user` may pay, with its employer, or 404."""
    return get_object_or_404(payer_groups(user).select_related("parent__employer"), pk=pk)


def employer_of(user):
    admin = access.admin_for(user)
    return admin.employer if admin else None


def payment_accounts_for(user, employer=None):
    """The employer's active payment accounts: an administrator's own employer's; for a broker,
    `employer`'s, if the office may pay a bill of one of its groups."""
    admin = access.admin_for(user)
    if admin is not None:
        employer_id = admin.employer_id
    elif employer is not None and payer_groups(user).filter(parent__employer=employer).exists():
        employer_id = employer.pk
    else:
        return PaymentAccount.objects.none()
    return PaymentAccount.objects.filter(employer_id=employer_id, removed_at__isnull=True).order_by(
        "nickname", "pk"
    )


def get_payment_account_for(user, pk):
    return get_object_or_404(payment_accounts_for(user), pk=pk)


def payable_invoices_for(user, group=None):
    """The bills of the groups `user` may pay (of `group` alone, if given) that may still take a
    payment, each with `payable`; by group, then oldest first."""
    invoices = Invoice.objects.filter(group__in=payer_groups(user))
    if group is not None:
        invoices = invoices.filter(group=group)
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
    """A submission all of whose payments are of groups the user may pay (of their own
    employer, for an administrator); 404 for any other (a sibling suffix's payment is as good
    as one that doesn't exist)."""
    payments = Payment.objects.filter(submission=OuterRef("pk"))
    elsewhere = payments.exclude(group__in=payer_groups(user))
    admin = access.admin_for(user)
    if admin is not None:
        submissions = PaymentSubmission.objects.filter(employer_id=admin.employer_id)
    elif user.role in access.PORTALS["brokers"][1]:
        # No employer of their own: a submission with no payment of theirs is none of theirs.
        submissions = PaymentSubmission.objects.filter(Exists(payments))
    else:
        raise Http404
    submissions = submissions.exclude(Exists(elsewhere))
    return get_object_or_404(submissions.select_related("submitted_by"), pk=pk)


def submission_payments(submission):
    return submission.payments.select_related("invoice", "group", "account").order_by("pk")
