"""Celery tasks of the provider portal: drawing a plan's Schedule of Benefits, and a new user's
temporary password.

Idempotent: the file's name carries the plan version's hash, so a task delivered twice, or two
requests for the same plan, draw it at most once more.
"""

from celery import shared_task

from enrollment.models import Plan
from providers import benefits, user_admin


@shared_task(acks_late=True, reject_on_worker_lost=True)
def benefit_schedule_draw(plan_id):
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None:
        benefits.schedule_draw(plan)


# An SMTP hiccup is worth a few tries; each try makes a new password, so only the one sent works.
@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def temporary_password_send(profile_id, by_id):
    user_admin.temporary_password_issue(profile_id=profile_id, by_id=by_id)
