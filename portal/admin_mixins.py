from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through services (permission grants) or never (history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserObjectPermissionAdmin(ReadOnlyAdmin):
    """Which user holds which function on which group or Tax ID (guardian's direct-FK rows):
    for support to answer "why can't I see it?". Grants change only through the services."""

    list_display = ["content_object", "user", "permission"]
    list_select_related = ["permission", "content_object", "user"]
    list_filter = ["permission__codename"]
    search_fields = ["user__email", "content_object__number"]
    show_full_result_count = False


class GroupObjectPermissionAdmin(UserObjectPermissionAdmin):
    """The same for grants to an office (a Django auth group)."""

    list_display = ["content_object", "group", "permission"]
    list_select_related = ["permission", "content_object", "group"]
    search_fields = ["group__name", "content_object__number"]
