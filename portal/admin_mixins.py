from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through services (permission grants) or never (history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ObjectPermissionAdmin(ReadOnlyAdmin):
    """Who holds which function on which object: for support to answer "why can't I see it?".

    Grants are made and taken away by the audience services, never edited here.
    """

    list_select_related = ["permission", "content_object"]
    list_filter = ["permission__codename"]
    show_full_result_count = False
