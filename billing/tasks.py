"""Billing's Celery tasks.

Drawing an invoice's document is idempotent (its content hash decides whether anything is
drawn), so a task delivered twice, or two requests for the same file, cost at most one extra
drawing.
"""

import logging

from celery import shared_task

from billing import invoice_documents
from billing.models import Invoice

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invoice_document_generate(invoice_id, format):
    try:
        invoice_documents.invoice_document_generate(invoice_id, format)
    except Invoice.DoesNotExist:
        # Deleted between the request and now: nothing to draw.
        logger.info("No invoice %s any more", invoice_id)
