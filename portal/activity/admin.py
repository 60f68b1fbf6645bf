from django.contrib import admin

from portal.activity.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["at", "recipient", "actor", "summary"]
    search_fields = ["recipient__email", "summary"]
    list_select_related = ["recipient", "actor"]
    readonly_fields = ["at", "recipient", "actor", "summary", "link"]

    def has_add_permission(self, request):
        return False
