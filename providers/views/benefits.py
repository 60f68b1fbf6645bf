"""Member benefits: the Schedule of Benefits of a member's plan, as a PDF.

Drawn once per plan version by the worker and served again (providers.benefits). A click
queues the drawing when the current version is not stored yet and shows a page that offers
the download as soon as it is; with in-process tasks (the demo) the file is there at once.
Every download is audited against the member it was asked for.
"""

from django.core.cache import cache
from django.core.files.storage import storages
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.downloads import PRIVATE
from providers import benefits, selectors, tasks
from providers.access import function_required, provider_portal

# How long the waiting page trusts that the task it queued is on its way.
QUEUE_ONCE_SECONDS = 120


@require_GET
@provider_portal
@function_required("check_eligibility")
def benefit_schedule(request, pk):
    member, plan = selectors.get_member_plan_for(request.user, pk)
    name = benefits.stored_schedule(plan)
    if name is None:
        # A click queues the drawing; the page's polls queue it again only if it has been a
        # while (its message lost with a worker), not every two seconds.
        queued_key = f"providers:benefits:queued:{benefits.schedule_file_name(plan)}"
        if not request.htmx:
            cache.set(queued_key, 1, QUEUE_ONCE_SECONDS)
        if not request.htmx or cache.add(queued_key, 1, QUEUE_ONCE_SECONDS):
            tasks.benefit_schedule_draw.delay(plan.pk)
        name = benefits.stored_schedule(plan)
    context = {
        "title": "Schedule of Benefits",
        "breadcrumbs": [
            ("Patient Info", reverse("providers:patient-info")),
            (
                f"{member.first_name} {member.last_name}",
                reverse("providers:member-detail", args=[pk]),
            ),
        ],
        "plan": plan,
        "ready": name is not None,
        "url": request.path,
    }
    if request.htmx:
        return render(request, "providers/benefit_schedule.html#status", context)
    if name is None:
        return render(request, "providers/benefit_schedule.html", context, status=202)
    audit_record(request=request, action=AuditEvent.Action.DOWNLOAD, objects=[member])
    response = FileResponse(
        storages["documents"].open(name, "rb"),
        as_attachment=True,
        filename=f"Schedule of Benefits {plan.code}.pdf",
        content_type="application/pdf",
    )
    # The same file for every member of the plan: no member data in it.
    response["Cache-Control"] = PRIVATE
    return response
