"""Celery tasks: drawing statement documents, and the purge of statements past the window.

Drawing a document is idempotent (the content hash decides whether anything is drawn), so a
task delivered twice, or two requests for the same file, cost at most one extra drawing.
"""

import logging

from celery import shared_task
from django.utils import timezone

from commissions import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def statement_document_generate(broker_code, name, format):
    try:
        services.document_generate(broker_code, name, format, today=timezone.localdate())
    except services.DocumentNotFound:
        # Purged, or moved out of the window, between the request and now: nothing to draw.
        logger.info("No statement %s for %s any more", name, broker_code)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def statement_documents_refresh(statement_ids, force=False):
    drawn = services.stored_documents_refresh(
        statement_ids, today=timezone.localdate(), force=force
    )
    logger.info("Drew %s statement documents again for %s statements", drawn, len(statement_ids))


@shared_task
def statements_purge():
    purged = services.statements_purge(today=timezone.localdate())
    logger.info("Purged %s commission statements older than the window", purged)
