from django.contrib import admin

from billing.models import Invoice, InvoiceLine, Payment


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    raw_id_fields = ["member", "plan"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "group", "period_start", "due_date", "current_amount", "balance_due"]
    list_filter = [("period_start", admin.DateFieldListFilter)]
    search_fields = ["number", "group__number", "group__name"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]
    date_hierarchy = "period_start"
    inlines = [InvoiceLineInline]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(admin.ModelAdmin):
    list_display = ["invoice", "kind", "description", "amount"]
    list_filter = ["kind"]
    search_fields = ["invoice__number"]
    raw_id_fields = ["invoice", "member", "plan"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["group", "amount", "received_on", "method", "status", "reference"]
    list_filter = ["method", "status"]
    search_fields = ["group__number", "reference"]
    list_select_related = ["group"]
    raw_id_fields = ["group", "invoice", "recorded_by"]
    date_hierarchy = "received_on"
