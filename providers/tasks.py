"""Celery tasks of the provider portal: drawing a plan's Schedule of Benefits.

Idempotent: the file's name carries the plan version's hash, so a task delivered twice, or two
requests for the same plan, draw it at most once more.
"""

from celery import shared_task

from enrollment.models import Plan
from providers import benefits


@shared_task(acks_late=True, reject_on_worker_lost=True)
def benefit_schedule_draw(plan_id):
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None:
        benefits.schedule_draw(plan)
