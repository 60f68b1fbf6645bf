from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


# An SMTP hiccup is worth a few tries; the message is already rendered, so a retry is exact.
@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_email(*, to, subject, text, html=None, from_email=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
