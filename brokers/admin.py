from django.contrib import admin

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
    list_display = ["last_name", "first_name", "npn", "email", "states_appointed", "status"]
    list_filter = ["status"]
    search_fields = ["npn", "last_name", "email"]


@admin.register(UplineAccess)
class UplineAccessAdmin(admin.ModelAdmin):
    # Granted and stopped by the broker on Manage Accounts, which moves the permissions too.
    list_display = ["broker", "rosters_allowed", "granted_by", "granted_at"]
    list_select_related = ["broker", "granted_by"]
    readonly_fields = ["broker", "rosters_allowed", "granted_by", "granted_at"]

    def has_add_permission(self, request):
        return False
