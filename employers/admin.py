from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from employers.forms.documents import GroupDocumentAdminForm
from employers.models import BrokerAccessGrant, EmployerAdmin, GroupDocument


@admin.register(EmployerAdmin)
class EmployerAdminAdmin(admin.ModelAdmin):
    list_display = ["user", "employer", "level", "created_at"]
    list_filter = ["level"]
    search_fields = ["user__email", "employer__name", "employer__policyholder_id"]
    list_select_related = ["user", "employer"]
    raw_id_fields = ["user", "employer", "created_by"]


@admin.register(BrokerAccessGrant)
class BrokerAccessGrantAdmin(admin.ModelAdmin):
    # Grants carry guardian permissions: employers change them in their portal.
    list_display = ["group", "broker", "employer", "functions", "terms_accepted_at"]
    search_fields = ["group__number", "broker__npn", "employer__name"]
    list_select_related = ["group", "broker", "employer"]
    readonly_fields = [
        "employer",
        "group",
        "broker",
        "functions",
        "granted_by",
        "terms_accepted_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(GroupDocument)
class GroupDocumentAdmin(admin.ModelAdmin):
    """Group Documents: ops publish a group's benefit summaries, contracts and notices."""

    form = GroupDocumentAdminForm
    list_display = ["title", "group", "category", "is_published", "published_on", "updated_at"]
    list_filter = ["is_published", "category"]
    search_fields = ["title", "group__number", "group__name", "filename"]
    raw_id_fields = ["group"]
    list_select_related = ["group"]
    readonly_fields = ["current_file", "uploaded_by", "created_at", "updated_at"]

    @admin.display(description="current file")
    def current_file(self, document):
        if not document.pk or not document.file:
            return "—"
        return f"{document.filename} ({document.content_type}, {filesizeformat(document.size)})"

    def save_model(self, request, obj, form, change):
        if form.upload is not None:
            obj.filename = form.upload["filename"]
            obj.content_type = form.upload["content_type"]
            obj.size = form.upload["size"]
            obj.uploaded_by = request.user
        if obj.is_published and obj.published_on is None:
            obj.published_on = timezone.localdate()
        super().save_model(request, obj, form, change)
