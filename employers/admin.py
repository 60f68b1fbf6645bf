from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from employers import services
from employers.forms.documents import GroupDocumentAdminForm
from employers.models import (
    BrokerAccessGrant,
    EmployerAdmin,
    EmployerRegistrationKey,
    GroupDocument,
)


@admin.register(EmployerAdmin)
class EmployerAdminAdmin(admin.ModelAdmin):
    list_display = ["user", "employer", "level", "created_at"]
    list_filter = ["level"]
    search_fields = ["user__email", "employer__name", "employer__policyholder_id"]
    list_select_related = ["user", "employer"]
    raw_id_fields = ["user", "employer", "created_by"]


@admin.register(BrokerAccessGrant)
class BrokerAccessGrantAdmin(admin.ModelAdmin):
    # Grants carry guardian permissions: employers change them in their portal.
    list_display = ["group", "broker", "employer", "functions", "terms_accepted_at"]
    search_fields = ["group__number", "broker__npn", "employer__name"]
    list_select_related = ["group", "broker", "employer"]
    readonly_fields = [
        "employer",
        "group",
        "broker",
        "functions",
        "granted_by",
        "terms_accepted_at",
    ]

    def has_add_permission(self, request):
        return False


class RegistrationKeyIssueForm(forms.ModelForm):
    """Issue a key: whose employer, and the person who will be its primary administrator."""

    class Meta:
        model = EmployerRegistrationKey
        fields = ["employer", "email", "first_name", "last_name"]

    def clean(self):
        cleaned = super().clean()
        employer, email = cleaned.get("employer"), cleaned.get("email")
        if employer and email:
            refusal = services.registration_key_refusal(employer=employer, email=email.lower())
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(EmployerRegistrationKey)
class EmployerRegistrationKeyAdmin(admin.ModelAdmin):
    """Ops issue a registration key to an employer's primary client administrator: adding one
    emails the key (only its digest is kept). Keys are never edited; "Send a new key" replaces
    one, "Revoke" stops it."""

    list_display = ["employer", "email", "status", "created_at", "expires_at", "issued_by"]
    list_select_related = ["employer", "issued_by"]
    search_fields = ["employer__name", "employer__policyholder_id", "email"]
    raw_id_fields = ["employer"]
    actions = ["send_new_key", "revoke"]
    readonly_fields = [
        "employer",
        "email",
        "first_name",
        "last_name",
        "status",
        "issued_by",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
        "registered_user",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RegistrationKeyIssueForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # The change page is for reading; the actions change keys through the service.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        raw = services.employer_registration_key_issue(
            employer=obj.employer,
            email=obj.email,
            first_name=obj.first_name,
            last_name=obj.last_name,
            by=request.user,
        )
        obj.pk = EmployerRegistrationKey.objects.get(
            digest=services.registration_key_digest(raw)
        ).pk
        obj.refresh_from_db()
        messages.info(request, f"The registration key was emailed to {obj.email}.")

    @admin.action(description="Send a new key (the old one stops working)", permissions=["add"])
    def send_new_key(self, request, queryset):
        for key in queryset.select_related("employer"):
            try:
                services.employer_registration_key_issue(
                    employer=key.employer,
                    email=key.email,
                    first_name=key.first_name,
                    last_name=key.last_name,
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"A new registration key was emailed to {key.email}.")

    @admin.action(description="Revoke the selected keys", permissions=["add"])
    def revoke(self, request, queryset):
        count = services.registration_keys_revoke(keys=queryset, by=request.user)
        messages.success(request, f"{count} key{'s' if count != 1 else ''} revoked.")


@admin.register(GroupDocument)
class GroupDocumentAdmin(admin.ModelAdmin):
    """Group Documents: ops publish a group's benefit summaries, contracts and notices."""

    form = GroupDocumentAdminForm
    list_display = ["title", "group", "category", "is_published", "published_on", "updated_at"]
    list_filter = ["is_published", "category"]
    search_fields = ["title", "group__number", "group__name", "filename"]
    raw_id_fields = ["group"]
    list_select_related = ["group"]
    readonly_fields = ["current_file", "uploaded_by", "created_at", "updated_at"]

    @admin.display(description="current file")
    def current_file(self, document):
        if not document.pk or not document.file:
            return "—"
        return f"{document.filename} ({document.content_type}, {filesizeformat(document.size)})"

    def save_model(self, request, obj, form, change):
        if form.upload is not None:
            obj.filename = form.upload["filename"]
            obj.content_type = form.upload["content_type"]
            obj.size = form.upload["size"]
            obj.uploaded_by = request.user
        if obj.is_published and obj.published_on is None:
            obj.published_on = timezone.localdate()
        super().save_model(request, obj, form, change)
