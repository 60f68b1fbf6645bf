"""Audit review: the audit log filtered as ops filter it in the admin, and its XLSX export job.

The admin's list filters (portal/audit/admin.py) and the export read the same query-string
parameters through `audit_events_matching`, so the file holds exactly the rows the list showed.
Registered as a report job kind (portal/jobs/registry.py); the module is named `reports` so that
portal.jobs finds it in the web process and in Celery workers alike.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from portal.audit.models import AuditEvent
from portal.jobs.registry import Report, register
from portal.jobs.writers import write_xlsx

# Who may read the audit log, in the admin and in its export: the security role's permission.
AUDIT_REVIEW_PERMISSION = "audit.view_auditevent"
MEMBER_TYPE = "enrollment.Member"
# The query-string parameters of the admin's audit list that select rows (paging and ordering
# are not among them). `q` is the admin's search box.
FILTER_PARAMETERS = ("user", "action", "object_type", "object_id", "at_from", "at_to", "q")
SEARCH_FIELDS = ("user__email", "acting_as__email", "object_id", "ip_address")


def can_review_audit(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(AUDIT_REVIEW_PERMISSION)


def parse_day(text) -> datetime.date | None:
    """A YYYY-MM-DD date from the query string, or None for anything else."""
    try:
        return datetime.date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the carrier's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def clean_filters(data) -> dict:
    """The recognised filters from `data` (a QueryDict or dict), unusable values dropped."""
    filters = {}
    user = str(data.get("user") or "").strip()
    if user.isdigit():
        filters["user"] = int(user)
    action = data.get("action") or data.get("action__exact")
    if action in AuditEvent.Action.values:
        filters["action"] = action
    for name in ("object_type", "object_id"):
        value = str(data.get(name) or data.get(f"{name}__exact") or "").strip()
        if value:
            filters[name] = value[:64]
    for name in ("at_from", "at_to"):
        day = parse_day(data.get(name))
        if day is not None:
            filters[name] = day.isoformat()
    search = str(data.get("q") or "").strip()
    if search:
        filters["q"] = search[:200]
    return filters


def search_filter(terms: str) -> Q:
    """The admin's search: every word must match one of SEARCH_FIELDS (icontains)."""
    condition = Q()
    for word in terms.split():
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def events_in_date_range(events, filters: dict):
    """`events` from the day `at_from` to the day `at_to`, both included, where given."""
    if "at_from" in filters:
        events = events.filter(at__gte=day_start(parse_day(filters["at_from"])))
    if "at_to" in filters:
        end = parse_day(filters["at_to"]) + datetime.timedelta(days=1)
        events = events.filter(at__lt=day_start(end))
    return events


def audit_events_matching(filters: dict):
    """The audit events that `filters` (from clean_filters) select, newest first."""
    events = AuditEvent.objects.all()
    if "user" in filters:
        events = events.filter(user_id=filters["user"])
    if "action" in filters:
        events = events.filter(action=filters["action"])
    if "object_type" in filters:
        events = events.filter(object_type=filters["object_type"])
    if "object_id" in filters:
        events = events.filter(object_id=filters["object_id"])
    events = events_in_date_range(events, filters)
    if "q" in filters:
        events = events.filter(search_filter(filters["q"]))
    return events.order_by("-at", "-pk")


# A member's admin page lists their latest events; the audit list has them all.
MEMBER_AUDIT_EVENTS_SHOWN = 20


def member_audit_events(member) -> list:
    """The member's latest audit events, newest first: one indexed query (object type and id)."""
    return list(
        AuditEvent.objects.filter(object_type=MEMBER_TYPE, object_id=str(member.pk))
        .select_related("user", "acting_as")
        .order_by("-at", "-pk")[:MEMBER_AUDIT_EVENTS_SHOWN]
    )


@register
class AuditEventsReport(Report):
    """The audit log as ops filtered it in the admin (who, whose data, what, when, from where)."""

    kind = "audit_events_xlsx"
    title = "Audit log export"
    headers = [
        "When",
        "User",
        "Acting as",
        "Action",
        "Object type",
        "Object ID",
        "IP address",
        "Page",
    ]
    widths = [20, 32, 32, 14, 24, 14, 16, 50]

    @classmethod
    def clean_parameters(cls, data):
        return clean_filters(data)

    def is_available_to(self, user):
        return can_review_audit(user)

    @cached_property
    def events(self):
        return audit_events_matching(self.parameters)

    def filename(self):
        return f"audit-log-{timezone.localdate():%Y-%m-%d}.xlsx"

    def generate(self, job, out, progress):
        actions = dict(AuditEvent.Action.choices)
        rows = self.events.values_list(
            "at",
            "user__email",
            "acting_as__email",
            "action",
            "object_type",
            "object_id",
            "ip_address",
            "path",
        ).iterator(chunk_size=2000)

        def lines():
            for at, user, acting_as, action, object_type, object_id, ip, path in rows:
                yield (
                    f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}",
                    user or "",
                    acting_as or "",
                    actions.get(action, action),
                    object_type,
                    object_id,
                    ip or "",
                    path,
                )

        write_xlsx(
            out,
            sheet_title="Audit log",
            headers=self.headers,
            rows=lines(),
            widths=self.widths,
            total=self.events.count(),
            progress=progress,
        )
        # The export is audited as this job (its parameters say which rows), and as the member
        # whose history it is when it was filtered to one.
        exported = {"jobs.ReportJob": [job.pk]}
        if self.parameters.get("object_type") == MEMBER_TYPE and self.parameters.get("object_id"):
            exported[MEMBER_TYPE] = [self.parameters["object_id"]]
        return exported
