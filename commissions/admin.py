from django.contrib import admin

from commissions.models import CommissionLine, CommissionStatement


class CommissionLineInline(admin.TabularInline):
    model = CommissionLine
    extra = 0
    raw_id_fields = ["group"]


@admin.register(CommissionStatement)
class CommissionStatementAdmin(admin.ModelAdmin):
    list_display = ["broker_code", "npn", "period", "category", "state", "total", "payment_method"]
    list_filter = ["category", "state", "payment_method"]
    search_fields = ["broker_code", "npn", "payment_reference"]
    date_hierarchy = "period"
    inlines = [CommissionLineInline]


@admin.register(CommissionLine)
class CommissionLineAdmin(admin.ModelAdmin):
    list_display = ["statement", "group", "description", "premium", "rate", "amount"]
    search_fields = ["statement__broker_code", "group__number"]
    raw_id_fields = ["statement", "group"]
    show_full_result_count = False
