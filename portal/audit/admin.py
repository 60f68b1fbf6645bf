from django.contrib import admin

from portal.admin_mixins import ReadOnlyAdmin
from portal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "acting_as", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["user__email", "acting_as__email", "object_id", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user", "acting_as"]
    show_full_result_count = False
