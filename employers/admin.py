from django.contrib import admin

from employers.models import BrokerAccessGrant, EmployerAdmin


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
