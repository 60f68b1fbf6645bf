from django.contrib import admin

from portal.admin_mixins import GroupObjectPermissionAdmin, UserObjectPermissionAdmin
from providers.models import (
    Authorization,
    Claim,
    Practitioner,
    ProviderOrganization,
    ProviderUser,
    TaxId,
    TaxIdGroupObjectPermission,
    TaxIdUserObjectPermission,
)


class TaxIdInline(admin.TabularInline):
    model = TaxId
    extra = 0


@admin.register(ProviderOrganization)
class ProviderOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "status", "created_at"]
    list_filter = ["org_type", "status"]
    search_fields = ["name", "tax_ids__number"]
    inlines = [TaxIdInline]


@admin.register(TaxId)
class TaxIdAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "organization"]
    search_fields = ["number", "name", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "npi",
        "license_state",
        "license_number",
        "organization",
    ]
    list_filter = ["license_state", "specialty"]
    search_fields = ["npi", "last_name", "license_number"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["tax_ids"]


@admin.register(ProviderUser)
class ProviderUserAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "is_delegated_admin"]
    list_filter = ["is_delegated_admin"]
    search_fields = ["user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization", "created_by"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "member",
        "tax_id",
        "service_from",
        "status",
        "billed_amount",
        "paid_amount",
    ]
    list_filter = ["status"]
    search_fields = ["number", "member__member_id", "tax_id__number"]
    list_select_related = ["member", "tax_id"]
    raw_id_fields = ["member", "tax_id", "practitioner"]
    show_full_result_count = False


@admin.register(Authorization)
class AuthorizationAdmin(admin.ModelAdmin):
    list_display = ["number", "member", "tax_id", "kind", "status", "start_date", "end_date"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "member__member_id", "tax_id__number"]
    list_select_related = ["member", "tax_id"]
    raw_id_fields = ["member", "tax_id", "practitioner"]
    show_full_result_count = False


admin.site.register(TaxIdUserObjectPermission, UserObjectPermissionAdmin)
admin.site.register(TaxIdGroupObjectPermission, GroupObjectPermissionAdmin)
