from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path

from brokers import services
from brokers.forms.contracting import ContractingImportForm, ContractingRecordAdminForm
from brokers.models import (
    Agency,
    Broker,
    BrokerCode,
    BrokerOfRecord,
    ContractingRecord,
    License,
    UplineAccess,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "account_type", "upline", "phone"]
    list_filter = ["account_type"]
    search_fields = ["name", "tax_id"]
    raw_id_fields = ["upline"]


class BrokerCodeInline(admin.TabularInline):
    model = BrokerCode
    extra = 0


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0


@admin.register(Broker)
class BrokerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "npn", "agency", "status", "user"]
    list_filter = ["status", "agency__account_type"]
    search_fields = ["npn", "last_name", "first_name", "email", "codes__code"]
    list_select_related = ["agency", "user"]
    raw_id_fields = ["agency", "user", "office"]
    exclude = ["tax_id"]
    inlines = [BrokerCodeInline, LicenseInline]


@admin.register(BrokerCode)
class BrokerCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "broker", "label", "is_primary"]
    search_fields = ["code", "broker__npn"]
    raw_id_fields = ["broker"]


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["broker", "state", "number", "expires_on", "is_primary"]
    list_filter = ["state"]
    search_fields = ["number", "broker__npn"]
    raw_id_fields = ["broker"]


@admin.register(BrokerOfRecord)
class BrokerOfRecordAdmin(admin.ModelAdmin):
    # Changing a broker of record must move permissions too: do it through
    # brokers.services.broker_of_record_start, not by editing rows here.
    list_display = ["group", "broker", "start_date", "end_date"]
    search_fields = ["group__number", "broker__npn", "broker__last_name"]
    list_select_related = ["group", "broker"]
    readonly_fields = ["group", "broker", "start_date", "end_date"]

    def has_add_permission(self, request):
        return False


@admin.register(ContractingRecord)
class ContractingRecordAdmin(admin.ModelAdmin):
    form = ContractingRecordAdminForm
    list_display = ["last_name", "first_name", "npn", "email", "states_appointed", "status"]
    list_filter = ["status"]
    search_fields = ["npn", "last_name", "email"]
    change_list_template = "admin/brokers/contractingrecord/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self._can_import(request)}
        return super().changelist_view(request, extra_context)

    def _can_import(self, request):
        # An import adds records and changes existing ones.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_view(self, request):
        """Create or update contracting records from an .xlsx or .csv file, all or nothing."""
        if not self._can_import(request):
            raise PermissionDenied
        errors = []
        form = ContractingImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                counts = services.contracting_records_import(rows=form.rows, by=request.user)
            except services.ContractingImportError as error:
                errors = error.errors
            else:
                self.message_user(
                    request,
                    f"Imported {counts['created']} new and updated {counts['updated']} "
                    "existing contracting records.",
                    messages.SUCCESS,
                )
                return redirect("admin:brokers_contractingrecord_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import contracting records",
            "form": form,
            "errors": errors,
            "columns": services.CONTRACTING_IMPORT_COLUMNS,
            "required_columns": services.CONTRACTING_IMPORT_REQUIRED_COLUMNS,
            "statuses": ContractingRecord.Status.choices,
        }
        return render(request, "admin/brokers/contractingrecord/import.html", context)


@admin.register(UplineAccess)
class UplineAccessAdmin(admin.ModelAdmin):
    # Granted and stopped by the broker on Manage Accounts, which moves the permissions too.
    list_display = ["broker", "rosters_allowed", "granted_by", "granted_at"]
    list_select_related = ["broker", "granted_by"]
    readonly_fields = ["broker", "rosters_allowed", "granted_by", "granted_at"]

    def has_add_permission(self, request):
        return False
