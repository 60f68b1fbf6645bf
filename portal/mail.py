"""Email from templates, sent by a Celery task once the transaction that caused it commits.

Each email is three templates under templates/emails/: `<name>.subject.txt`, `<name>.txt` and
`<name>.html`. They get the carrier (from settings) and whatever the caller passes; links in
them are absolute, built with `absolute_url`, because the mail is read outside the portal.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def email_render(template: str, context: dict) -> dict:
    """`template`'s subject, text and HTML for `context` (with the carrier and portal URL)."""
    context = {"carrier": settings.CARRIER, "portal_url": absolute_url("/"), **context}
    return {
        "subject": " ".join(render_to_string(f"emails/{template}.subject.txt", context).split()),
        "text": render_to_string(f"emails/{template}.txt", context),
        "html": render_to_string(f"emails/{template}.html", context),
    }


def email_send(*, to, template: str, context: dict) -> None:
    """Render `template` for the addresses in `to` and queue it; nothing is sent on rollback.

    The rendered message travels through the task queue: a secret must not be in `context`
    (make it in the worker instead, as provider temporary passwords are)."""
    queue_email(to=list(to), **email_render(template, context))


def queue_email(*, to, subject, text, html=None, from_email=None):
    from portal.tasks import send_email

    transaction.on_commit(
        lambda: send_email.delay(
            to=to, subject=subject, text=text, html=html, from_email=from_email
        )
    )
