from django import forms
from django.contrib import admin, messages
from django.core.cache import cache

from portal.admin_mixins import (
    FileImportAdmin,
    GroupObjectPermissionAdmin,
    UserObjectPermissionAdmin,
)
from portal.leaving import is_outside_url
from providers import registration_admin  # noqa: F401 - registers the verification queue
from providers.imports import PractitionerImportForm, practitioners_import
from providers.models import (
    Authorization,
    Claim,
    MedicalPolicy,
    Practitioner,
    ProviderOrganization,
    ProviderUser,
    TaxId,
    TaxIdGroupObjectPermission,
    TaxIdUserObjectPermission,
)
from providers.resources import SPECIALTIES_CACHE_KEY


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
        "specialty",
        "city",
        "is_participating",
        "accepting_new_patients",
    ]
    # Participation and new patients: what Resources' provider search shows offices.
    list_filter = ["is_participating", "accepting_new_patients", "license_state", "specialty"]
    search_fields = ["npi", "last_name", "license_number", "city", "zip_code"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["tax_ids"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new specialty or a practitioner leaving the network shows in the search at once.
        cache.delete(SPECIALTIES_CACHE_KEY)


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


class MedicalPolicyAdminForm(forms.ModelForm):
    external_url = forms.URLField(
        label="External URL",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=MedicalPolicy._meta.get_field("external_url").help_text,
    )

    class Meta:
        model = MedicalPolicy
        fields = [
            "number",
            "title",
            "kind",
            "category",
            "effective_date",
            "last_reviewed",
            "summary",
            "body",
            "external_url",
            "is_published",
        ]

    def clean_external_url(self):
        # Offices reach it through the "You are now leaving" notice, which shows only http(s).
        url = self.cleaned_data["external_url"].strip()
        if url and not is_outside_url(url):
            raise forms.ValidationError("Enter a web address starting with https:// or http://.")
        return url


@admin.register(MedicalPolicy)
class MedicalPolicyAdmin(admin.ModelAdmin):
    """Medical policies and clinical guidelines: provider offices see only the published ones,
    in Resources, after the Important Notice."""

    form = MedicalPolicyAdminForm
    list_display = ["number", "title", "kind", "category", "effective_date", "is_published"]
    list_filter = ["is_published", "kind", "category"]
    search_fields = ["number", "title"]
    actions = ["publish", "unpublish"]

    def _published(self, request, queryset, is_published):
        changed = list(queryset.exclude(is_published=is_published))
        for policy in changed:
            policy.is_published = is_published
            policy.save(update_fields=["is_published"])
            self.log_change(request, policy, [{"changed": {"fields": ["is_published"]}}])
        word = "published" if is_published else "unpublished"
        messages.success(
            request, f"{len(changed)} polic{'ies' if len(changed) != 1 else 'y'} {word}."
        )

    @admin.action(description="Publish the selected policies", permissions=["change"])
    def publish(self, request, queryset):
        self._published(request, queryset, True)

    @admin.action(description="Unpublish the selected policies", permissions=["change"])
    def unpublish(self, request, queryset):
        self._published(request, queryset, False)


# Data loads: the practitioner list gets an Import page (an .xlsx or .csv file, with a dry run).
admin.site.unregister(Practitioner)


@admin.register(Practitioner)
class PractitionerImportAdmin(FileImportAdmin, PractitionerAdmin):
    import_form = PractitionerImportForm
    import_help = "admin/providers/practitioner/import_help.html"

    def import_rows(self, request, rows):
        dry_run = bool(request.POST.get("dry_run"))
        return practitioners_import(rows=rows, by=request.user, dry_run=dry_run)
