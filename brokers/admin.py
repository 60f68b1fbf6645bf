from django.contrib import admin
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from brokers import services
from brokers.forms.contracting import ContractingImportForm, ContractingRecordAdminForm
from brokers.forms.resources import DocumentAdminForm
from brokers.models import (
    Agency,
    Broker,
    BrokerCode,
    BrokerOfRecord,
    ContractingRecord,
    Document,
    License,
    UplineAccess,
)
from portal.admin_mixins import FileImportAdmin
from portal.downloads import audited_download


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
class ContractingRecordAdmin(FileImportAdmin):
    form = ContractingRecordAdminForm
    list_display = ["last_name", "first_name", "npn", "email", "states_appointed", "status"]
    list_filter = ["status"]
    search_fields = ["npn", "last_name", "email"]
    import_form = ContractingImportForm
    import_help = "admin/brokers/contractingrecord/import_help.html"

    def import_rows(self, request, rows):
        """Create or update contracting records from an .xlsx or .csv file, all or nothing."""
        return services.contracting_records_import(
            rows=rows, by=request.user, dry_run=bool(request.POST.get("dry_run"))
        )

    def import_help_context(self):
        return {"statuses": ContractingRecord.Status.choices}


@admin.register(UplineAccess)
class UplineAccessAdmin(admin.ModelAdmin):
    # Granted and stopped by the broker on Manage Accounts, which moves the permissions too.
    list_display = ["broker", "rosters_allowed", "granted_by", "granted_at"]
    list_select_related = ["broker", "granted_by"]
    readonly_fields = ["broker", "rosters_allowed", "granted_by", "granted_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Forms & Brochures: ops upload what brokers download from Sales & Quoting Resources."""

    form = DocumentAdminForm
    list_display = [
        "title",
        "category",
        "market",
        "state",
        "is_published",
        "published_on",
        "expires_on",
        "updated_at",
    ]
    list_filter = ["is_published", "category", "market", "state"]
    search_fields = ["title", "description", "filename"]
    fields = [
        "title",
        "description",
        "category",
        "market",
        "state",
        "current_file",
        "file",
        "is_published",
        "published_on",
        "expires_on",
        "uploaded_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["current_file", "uploaded_by", "created_at", "updated_at"]
    list_select_related = ["uploaded_by"]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="{}_{}_download".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.display(description="current file")
    def current_file(self, document):
        if not document.pk or not document.file:
            return "—"
        url = reverse("admin:brokers_document_download", args=[document.pk])
        return format_html(
            '<a href="{}">{}</a> ({}, {})',
            url,
            document.filename,
            document.content_type,
            filesizeformat(document.size),
        )

    def save_model(self, request, obj, form, change):
        services.document_save(document=obj, by=request.user, upload=form.upload)

    def download_view(self, request, pk):
        """The file as ops uploaded it, published or not; audited like the brokers' download."""
        document = self.get_object(request, str(pk))
        if document is None or not self.has_view_permission(request, document):
            raise Http404
        return audited_download(
            request,
            document.file,
            filename=document.filename,
            content_type=document.content_type,
            audited=[document],
        )
