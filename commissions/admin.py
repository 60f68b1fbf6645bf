from django.contrib import admin, messages
from django.utils import timezone

from commissions import services, tasks
from commissions.forms import CommissionImportForm
from commissions.models import CommissionLine, CommissionStatement, StatementDocument
from portal.admin_mixins import FileImportAdmin, ReadOnlyAdmin


class CommissionLineInline(admin.TabularInline):
    model = CommissionLine
    extra = 0
    raw_id_fields = ["group"]


@admin.register(CommissionStatement)
class CommissionStatementAdmin(FileImportAdmin):
    list_display = ["broker_code", "npn", "period", "category", "state", "total", "payment_method"]
    list_filter = ["category", "state", "payment_method"]
    search_fields = ["broker_code", "npn", "payment_reference", "payee_name"]
    date_hierarchy = "period"
    inlines = [CommissionLineInline]
    actions = ["documents_regenerate"]
    import_form = CommissionImportForm
    import_help = "admin/commissions/commissionstatement/import_help.html"

    def import_rows(self, request, rows):
        counts = services.commission_lines_import(
            rows=rows, by=request.user, today=timezone.localdate()
        )
        return (
            f"Imported {counts['lines']} commission lines: {counts['created']} new statements, "
            f"{counts['updated']} statements replaced. Their stored PDF and Excel files are "
            "drawn again."
        )

    def import_help_context(self):
        return {
            "kinds": CommissionLine.Kind.choices,
            "categories": CommissionStatement.Category.choices,
            "methods": CommissionStatement.PaymentMethod.choices,
        }

    def save_related(self, request, form, formsets, change):
        """Lines edited here change the statement's total and its files, as an import does."""
        super().save_related(request, form, formsets, change)
        statement = form.instance
        services.statement_total_update(statement)
        tasks.statement_documents_refresh.delay([statement.pk])

    @admin.action(description="Draw the PDF and Excel files of the selected statements again")
    def documents_regenerate(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        tasks.statement_documents_refresh.delay(ids, force=True)
        self.message_user(
            request,
            f"The files of {len(ids)} statement{'s' if len(ids) != 1 else ''} are being drawn "
            "again; brokers get the new files as soon as they are ready.",
            messages.SUCCESS,
        )


@admin.register(CommissionLine)
class CommissionLineAdmin(admin.ModelAdmin):
    list_display = ["statement", "kind", "group", "member_id", "description", "premium", "amount"]
    list_filter = ["kind"]
    search_fields = ["statement__broker_code", "group__number", "member_id"]
    raw_id_fields = ["statement", "group"]


@admin.register(StatementDocument)
class StatementDocumentAdmin(ReadOnlyAdmin):
    """The files drawn so far: what was drawn when, for support. They change only by drawing."""

    list_display = ["name", "format", "broker_code", "statement_date", "size", "generated_at"]
    list_filter = ["format"]
    search_fields = ["broker_code", "name"]
