from django.contrib import admin

from portal.jobs.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by their tasks. Ops may delete one (and its file) if allowed.

    The file itself is not offered here: it holds member data and leaves only through the
    requester's audited download.
    """

    list_display = [
        "id",
        "kind",
        "requester",
        "status",
        "progress",
        "attempts",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    list_filter = ["status", "kind", "created_at", "expires_at"]
    search_fields = ["=id", "requester__email", "kind", "filename", "=sha256"]
    list_select_related = ["requester"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "parameters",
        "requester",
        "status",
        "progress",
        "attempts",
        "error",
        "stored_file",
        "filename",
        "sha256",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description="stored file")
    def stored_file(self, job):
        return job.file.name or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for job in queryset.exclude(file=""):
            job.file.delete(save=False)
        super().delete_queryset(request, queryset)
