from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from portal.accounts import assumed_identity, support
from portal.accounts.models import RegistrationToken, SupportAction, User, UserStatus
from portal.admin_mixins import ReadOnlyAdmin

Kind = SupportAction.Kind

# Who may hold which role, and who is staff or superuser, is the platform team's to decide
# (superusers): an ops role that may change users must not be able to raise itself.
PRIVILEGE_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]

# The account support pages: what each does, in the words of its button and its confirmation.
SUPPORT_PAGES = {
    Kind.UNLOCK: (
        "unlock",
        "Unlock",
        "The account unlocks at once and the failed sign-in count starts again; the password "
        "is unchanged.",
    ),
    Kind.REGISTRATION_RESEND: (
        "registration_resend",
        "Resend registration",
        "A new registration link is emailed; the earlier link stops working.",
    ),
    Kind.PASSWORD_RESET: (
        "password_reset",
        "Force password reset",
        "The current password stops working, every session ends, and the password reset "
        "email goes to the address on file.",
    ),
    Kind.MFA_RESET: (
        "mfa_reset",
        "Reset two-step verification",
        "The authenticator app and recovery codes are removed and every session ends; at the "
        "next sign-in the person sets up two-step verification again.",
    ),
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Kept with the record, for the security review: say who asked and how you "
        "checked who they are.",
        error_messages={"required": "Give the reason; it is kept with the record."},
    )


class SupportActionInline(admin.TabularInline):
    """The user's support history on their page: who did what, when and why."""

    model = SupportAction
    fk_name = "user"
    fields = ["at", "kind", "agent", "reason", "ended_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Support history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")


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
    inlines = [SupportActionInline]
    change_form_template = "admin/accounts/user/change_form.html"

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += PRIVILEGE_FIELDS
        return fields

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/assume/",
                self.admin_site.admin_view(self.assume_view),
                name="accounts_user_assume",
            ),
            path(
                "assumed-identity/end/",
                self.admin_site.admin_view(self.assume_end_view),
                name="accounts_user_assume_end",
            ),
        ]
        for kind, (slug, _label, _effect) in SUPPORT_PAGES.items():
            urls.append(
                path(
                    f"<path:object_id>/{slug.replace('_', '-')}/",
                    self.admin_site.admin_view(self.support_view),
                    {"kind": kind},
                    name=f"accounts_user_{slug}",
                )
            )
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        extra = {}
        if user is not None:
            extra["support_tools"] = self._support_tools(request, user)
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _support_tools(self, request, user):
        """The buttons the agent may use on this user now: (label, url)."""
        tools = []
        if assumed_identity.assume_refusal(agent=request.user, user=user) is None:
            tools.append(("Assume identity", reverse("admin:accounts_user_assume", args=[user.pk])))
        applies = {
            Kind.UNLOCK: user.locked_at is not None,
            Kind.REGISTRATION_RESEND: user.status == UserStatus.PENDING,
            Kind.PASSWORD_RESET: user.status in (UserStatus.ACTIVE, UserStatus.LOCKED),
            Kind.MFA_RESET: True,
        }
        if user.is_staff or user.is_superuser:
            return tools
        for kind, (slug, label, _effect) in SUPPORT_PAGES.items():
            if applies[kind] and request.user.has_perm(support.PERMISSIONS[kind]):
                tools.append((label, reverse(f"admin:accounts_user_{slug}", args=[user.pk])))
        return tools

    def _page(self, request, user, *, template, status=200, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            **context,
        }
        return render(request, template, context, status=status)

    def _change_url(self, user):
        return reverse("admin:accounts_user_change", args=[user.pk])

    def assume_view(self, request, object_id):
        """Ask for the reason, then start viewing the portal as the user (read-only)."""
        user = get_object_or_404(User, pk=object_id)
        refusal = assumed_identity.assume_refusal(agent=request.user, user=user)
        if refusal:
            raise PermissionDenied(refusal)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            assumed_identity.assumed_identity_start(
                request=request, user=user, reason=form.cleaned_data["reason"]
            )
            return redirect("home")
        return self._page(
            request,
            user,
            template="admin/accounts/user/assume.html",
            status=400 if form.errors else 200,
            title=f"Assume the identity of {user.display_name}",
            form=form,
            minutes=int(assumed_identity.LIFETIME.total_seconds() // 60),
        )

    def assume_end_view(self, request):
        # The middleware lets only this request through as the agent while assuming.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        action = getattr(request, "assumed_identity", None)
        if action is None:
            messages.info(request, "You were not assuming anyone's identity.")
            return redirect("admin:index")
        assumed_identity.assumed_identity_end(request=request)
        messages.success(request, f"You are no longer viewing the portal as {action.user}.")
        return redirect(self._change_url(action.user))

    def support_view(self, request, object_id, kind):
        """A support action's page: what it does, the reason, and the button."""
        if not request.user.has_perm(support.PERMISSIONS[kind]):
            raise PermissionDenied
        user = get_object_or_404(User, pk=object_id)
        _slug, label, effect = SUPPORT_PAGES[kind]
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                support.ACTIONS[kind](
                    request=request, user=user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{label}: done for {user.email}. {effect}")
                return redirect(self._change_url(user))
        return self._page(
            request,
            user,
            template="admin/accounts/user/support_action.html",
            status=400 if form.errors else 200,
            title=f"{label}: {user.display_name}",
            label=label,
            effect=effect,
            form=form,
        )


@admin.register(SupportAction)
class SupportActionAdmin(ReadOnlyAdmin):
    """What ops did to or as users' accounts, and why: read-only, for the security review."""

    list_display = ["at", "kind", "agent", "user", "ended_at"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    search_fields = ["agent__email", "user__email", "reason"]
    list_select_related = ["agent", "user"]
    show_full_result_count = False


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
