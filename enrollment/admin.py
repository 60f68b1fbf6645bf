from django.contrib import admin
from django.template.loader import render_to_string

from enrollment.imports import PlanImportForm, plans_import
from enrollment.models import (
    Coverage,
    Employer,
    EnrollmentEvent,
    Group,
    GroupGroupObjectPermission,
    GroupUserObjectPermission,
    IFPApplication,
    Member,
    ParentGroup,
    Plan,
)
from portal.admin_mixins import (
    FileImportAdmin,
    GroupObjectPermissionAdmin,
    ReadOnlyAdmin,
    UserObjectPermissionAdmin,
)
from portal.audit.admin import member_audit_link
from portal.audit.models import AuditEvent
from portal.audit.reports import MEMBER_AUDIT_EVENTS_SHOWN, can_review_audit, member_audit_events
from portal.audit.services import audit_record


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan_type", "market", "state", "is_active"]
    list_filter = ["plan_type", "market", "state", "is_active"]
    search_fields = ["code", "name"]


class ParentGroupInline(admin.TabularInline):
    model = ParentGroup
    extra = 0
    show_change_link = True


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "policyholder_id", "created_at"]
    search_fields = ["name", "policyholder_id"]
    inlines = [ParentGroupInline]


class GroupInline(admin.TabularInline):
    model = Group
    fields = ["suffix", "number", "name", "status", "suffix_effective_date"]
    extra = 0
    show_change_link = True


@admin.register(ParentGroup)
class ParentGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "employer", "effective_date"]
    search_fields = ["number", "name", "employer__name", "employer__policyholder_id"]
    list_select_related = ["employer"]
    raw_id_fields = ["employer"]
    inlines = [GroupInline]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "parent",
        "status",
        "state",
        "renewal_month",
        "suffix_effective_date",
    ]
    list_filter = ["status", "state", "rating_type", "renewal_month"]
    search_fields = ["number", "name", "parent__number", "parent__name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["plans"]
    fieldsets = [
        (None, {"fields": ["parent", "suffix", "number", "name", "status", "state", "plans"]}),
        (
            "Key dates",
            {
                "fields": [
                    "original_effective_date",
                    "suffix_effective_date",
                    "cancellation_date",
                    "renewal_month",
                    "last_renewal_date",
                    "waiting_period",
                ]
            },
        ),
        ("Rating", {"fields": ["sic_code", "rating_type"]}),
        (
            "Group admin",
            {
                "fields": [
                    "admin_name",
                    "admin_phone",
                    "admin_email",
                    "admin_street",
                    "admin_city",
                    "admin_state",
                    "admin_zip",
                ]
            },
        ),
        (
            "Billing",
            {
                "fields": [
                    "billing_street",
                    "billing_city",
                    "billing_state",
                    "billing_zip",
                    "billing_contact_name",
                    "billing_contact_phone",
                ]
            },
        ),
    ]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    # The SSN is never listed or searchable here; the change form shows it masked (read-only).
    list_display = [
        "member_id",
        "last_name",
        "first_name",
        "relationship",
        "dob",
        "status",
        "group",
    ]
    list_filter = ["status", "relationship"]
    search_fields = ["member_id", "last_name", "group__number"]
    list_select_related = ["group"]
    raw_id_fields = ["group", "subscriber", "plan"]
    exclude = ["ssn"]
    readonly_fields = ["ssn_masked"]
    show_full_result_count = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Ops reading a member's record is a view of member data like any other: in the log.
        # (The page renders after this, so it lists this view too.)
        if request.method == "GET" and response.status_code == 200:
            audit_record(
                request=request,
                action=AuditEvent.Action.VIEW,
                object_type="enrollment.Member",
                object_ids=[object_id],
            )
        return response

    def get_readonly_fields(self, request, obj=None):
        # Who viewed or changed the member, for ops who may review the audit log.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and can_review_audit(request.user):
            fields.append("audit_history")
        return fields

    @admin.display(description="who viewed or changed this member")
    def audit_history(self, member):
        events = member_audit_events(member)
        return render_to_string(
            "admin/enrollment/member/audit_history.html",
            {
                "events": events,
                "capped": len(events) == MEMBER_AUDIT_EVENTS_SHOWN,
                "audit_url": member_audit_link(member.pk),
            },
        )


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ["member", "plan", "tier", "start_date", "end_date"]
    list_filter = ["tier"]
    search_fields = ["member__member_id"]
    list_select_related = ["member", "plan"]
    raw_id_fields = ["member", "group", "plan"]
    show_full_result_count = False


@admin.register(EnrollmentEvent)
class EnrollmentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "member", "group", "effective_date", "by", "on_behalf_of"]
    list_filter = ["kind"]
    search_fields = ["member__member_id", "group__number", "by__email"]
    list_select_related = ["member", "group", "by"]
    show_full_result_count = False


admin.site.register(GroupUserObjectPermission, UserObjectPermissionAdmin)
admin.site.register(GroupGroupObjectPermission, GroupObjectPermissionAdmin)


@admin.register(IFPApplication)
class IFPApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "application_number",
        "last_name",
        "first_name",
        "plan",
        "status",
        "received_on",
        "status_changed_on",
        "broker_code",
    ]
    list_filter = ["status"]
    search_fields = ["application_number", "last_name", "broker_code"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan"]
    date_hierarchy = "received_on"


# Data loads: the plan list gets an Import page (an .xlsx or .csv file, with a dry run).
admin.site.unregister(Plan)


@admin.register(Plan)
class PlanImportAdmin(FileImportAdmin, PlanAdmin):
    import_form = PlanImportForm
    import_help = "admin/enrollment/plan/import_help.html"

    def import_rows(self, request, rows):
        return plans_import(rows=rows, by=request.user, dry_run=bool(request.POST.get("dry_run")))

    def import_help_context(self):
        return {"plan_types": Plan.PlanType.choices, "markets": Plan.Market.choices}
