"""Billing's Celery tasks.

Drawing an invoice's document is idempotent (its content hash decides whether anything is
drawn), so a task delivered twice, or two requests for the same file, cost at most one extra
drawing.

The payment tasks are thin too and safe to run again: a recurring payment's month has one
idempotency key, and a payment is locked and re-read before it goes to the gateway or changes
status, so acks_late costs nothing when a worker dies mid-run.
"""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from billing import generation, invoice_documents, payments
from billing.models import Invoice

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invoice_document_generate(invoice_id, format):
    try:
        invoice_documents.invoice_document_generate(invoice_id, format)
    except Invoice.DoesNotExist:
        # Deleted between the request and now: nothing to draw.
        logger.info("No invoice %s any more", invoice_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def submission_payments_submit(submission_id):
    """A submission's payments due today, sent to the gateway right after they are made."""
    payments.payments_submit_due(today=timezone.localdate(), submission_id=submission_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recurring_payments_make():
    """Daily (beat): each recurring payment's payment for this month, where due."""
    made = payments.recurring_payments_make(today=timezone.localdate())
    logger.info("Made %s recurring payments", made)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def payments_process():
    """Daily (beat): the scheduled payments now due go to the gateway, then the gateway is
    asked what became of every submitted one."""
    today = timezone.localdate()
    sent = payments.payments_submit_due(today=today)
    outcomes = payments.payments_outcomes_check(today=today)
    logger.info("Submitted %s payments; outcomes %s", sent, outcomes)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invoices_generate_due():
    """Daily (beat): the months due today (billing.generation.periods_due) for every active group
    without its bill, queued in batches. A day that finds every bill made queues nothing."""
    today = timezone.localdate()
    for period in generation.periods_due(today):
        for batch in generation.batches(generation.groups_to_bill(period)):
            invoices_generate.delay(period.isoformat(), batch)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invoices_generate(period, group_ids):
    """One batch of groups' bills for `period` (ISO date), one transaction per group."""
    outcome = generation.invoices_generate(
        period=datetime.date.fromisoformat(period), group_ids=group_ids
    )
    logger.info(
        "Invoices for %s: %s made, %s already there, %s failed",
        period,
        outcome.created,
        outcome.existing,
        len(outcome.failed),
    )
