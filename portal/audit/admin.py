"""Audit review in the admin: the log filtered by user, object (a member), action and dates,
and exported as it is filtered (a report job, see portal/audit/reports.py).

Only ops whose role holds `audit.view_auditevent` (the security role) see any of it.
"""

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.admin_mixins import ReadOnlyAdmin
from portal.audit.models import AuditEvent
from portal.audit.reports import (
    MEMBER_TYPE,
    AuditEventsReport,
    can_review_audit,
    clean_filters,
    events_in_date_range,
    parse_day,
)
from portal.jobs.services import report_job_request

# The list counts at most this many matching events: COUNT(*) over a log of a million rows took
# 70 ms of every page. Past the cap it pages through the newest events and says to narrow the
# filters or export (bench/audit_review.py).
LIST_COUNT_CAP = 10_000
OBJECT_TYPES_CACHE_KEY = "audit:object-types"


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self):
        return self.object_list[: LIST_COUNT_CAP + 1].count()


OBJECT_TYPES_CACHE_SECONDS = 60 * 60


class UserFilter(admin.SimpleListFilter):
    """Events of one user, chosen from a link (a member's page, a user's access review): the
    log names every user there is, far too many to list as choices."""

    title = "user"
    parameter_name = "user"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return []
        user = User.objects.filter(pk=value).only("email").first()
        return [(value, user.email if user else f"user #{value}")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(user_id=value)
        return queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object in the log. Django's own field filter would read the whole table
    (SELECT DISTINCT) on every page of a log of millions of rows; the kinds change when a new
    feature audits something new, so an hour's cache is fresh enough."""

    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        kinds = cache.get(OBJECT_TYPES_CACHE_KEY)
        if kinds is None:
            kinds = list(
                AuditEvent.objects.order_by("object_type")
                .values_list("object_type", flat=True)
                .distinct()
            )
            cache.set(OBJECT_TYPES_CACHE_KEY, kinds, OBJECT_TYPES_CACHE_SECONDS)
        value = self.value()
        if value and value not in kinds:
            kinds = [*kinds, value]
        return [(kind, kind) for kind in kinds]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(object_type=value) if value else queryset


class ObjectFilter(admin.SimpleListFilter):
    """Events about one object (with the object type filter: one member), from a link."""

    title = "object"
    parameter_name = "object_id"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"#{value}")] if value else []

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(object_id=value) if value else queryset


class DateRangeFilter(admin.ListFilter):
    """From and to dates (both days included), typed in rather than picked from presets."""

    title = "date"
    template = "admin/audit/date_range_filter.html"
    parameters = ("at_from", "at_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.request = request

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        return events_in_date_range(queryset, clean_filters(self.used_parameters))

    def choices(self, changelist):
        # The template renders a small GET form; the other filters ride along as hidden inputs.
        yield {
            "at_from": self.used_parameters.get("at_from", ""),
            "at_to": self.used_parameters.get("at_to", ""),
            "invalid": [
                name
                for name in self.parameters
                if self.used_parameters.get(name) and parse_day(self.used_parameters[name]) is None
            ],
            "other_params": [
                (name, value)
                for name, value in changelist.params.items()
                if name not in self.parameters
            ],
            "clear_url": changelist.get_query_string(remove=list(self.parameters)),
        }


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "user",
        "acting_as",
        "action",
        "object_type",
        "object_link",
        "ip_address",
    ]
    list_filter = [UserFilter, "action", ObjectTypeFilter, ObjectFilter, DateRangeFilter]
    search_fields = ["user__email", "acting_as__email", "object_id", "ip_address"]
    list_select_related = ["user", "acting_as"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    change_list_template = "admin/audit/auditevent/change_list.html"

    @admin.display(description="object ID", ordering="object_id")
    def object_link(self, event):
        # A member's ID leads to their admin page (who else saw them is listed there).
        if event.object_type == MEMBER_TYPE and event.object_id.isdigit():
            url = reverse("admin:enrollment_member_change", args=[event.object_id])
            return format_html('<a href="{}">{}</a>', url, event.object_id)
        return event.object_id

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="audit_auditevent_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:audit_auditevent_export"),
            "export_params": sorted(clean_filters(request.GET).items()),
            "count_cap": LIST_COUNT_CAP,
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """Export the list as filtered (its filters posted back) to XLSX: a report job, whose
        page shows its progress; the download is audited there."""
        return _export(request)


@require_POST
def _export(request):
    if not can_review_audit(request.user):
        raise PermissionDenied
    job = report_job_request(
        user=request.user, kind=AuditEventsReport.kind, parameters=request.POST
    )
    return redirect("jobs:job-detail", pk=job.pk)


def member_audit_link(member_pk) -> str:
    """The audit list filtered to one member's events."""
    return (
        reverse("admin:audit_auditevent_changelist")
        + f"?object_type={MEMBER_TYPE}&object_id={member_pk}"
    )
