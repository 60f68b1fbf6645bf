from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from portal.accounts import services
from portal.accounts.models import RegistrationToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["role", "is_active", "is_staff", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "role"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Sign-in", {"fields": ["locked_at", "failed_login_count", "terms_accepted_at"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})
    ]
    readonly_fields = [
        "last_login",
        "date_joined",
        "locked_at",
        "failed_login_count",
        "terms_accepted_at",
    ]
    actions = ["unlock"]

    @admin.action(description="Unlock the selected accounts", permissions=["change"])
    def unlock(self, request, queryset):
        """What a password reset does for a locked account, for a caller support has verified."""
        locked = list(queryset.filter(locked_at__isnull=False))
        for user in locked:
            services.user_unlock(user=user)
        self.message_user(request, f"Unlocked {len(locked)} account(s).")


@admin.register(RegistrationToken)
class RegistrationTokenAdmin(admin.ModelAdmin):
    """Read-only: links are issued by the registration flows, and only their digests are kept."""

    list_display = ["user", "purpose", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["purpose"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
