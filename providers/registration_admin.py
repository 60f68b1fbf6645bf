"""Provider relations' verification queue in the admin: registration requests awaiting
verification first, oldest first, each with the carrier's matching records beside what the
registrant typed and the business-day target; Approve and Reject (with a reason) act through
providers.registration, which emails the registrant and audits the decision."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from providers import registration
from providers.models import RegistrationRequest

Status = RegistrationRequest.Status


class RegistrationRejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        help_text="Emailed to the registrant as written: say what is wrong and what they can do.",
        error_messages={"required": "Say why the request is rejected."},
    )


class QueueFilter(admin.SimpleListFilter):
    """The queue opens on the requests awaiting verification, which the (status, submitted_at)
    index serves however many decided requests years of registrations leave behind; "All"
    lists every request, those awaiting verification first."""

    title = "queue"
    parameter_name = "queue"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Status.choices, (self.ALL, "All requests")]

    def value(self):
        return super().value() or Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):
    list_display = [
        "transaction_id",
        "organization_name",
        "account_type",
        "user_type",
        "submitted_at",
        "target",
        "status",
        "records",
    ]
    list_filter = [QueueFilter, "account_type", "user_type"]
    list_per_page = 50
    search_fields = [
        "transaction_id",
        "organization_name",
        "email",
        "last_name",
        "tax_id_number",
        "npi",
        "license_number",
    ]
    list_select_related = ["matched_tax_id", "matched_practitioner"]
    show_full_result_count = False
    change_form_template = "admin/providers/registrationrequest/change_form.html"
    actions = ["resend_link"]
    fieldsets = [
        (
            "Request",
            {
                "fields": [
                    "transaction_id",
                    "status",
                    "submitted_at",
                    "account_type",
                    "user_type",
                    "regions",
                    "terms_accepted_at",
                ]
            },
        ),
        (
            "Registrant",
            {"fields": ["first_name", "last_name", "email", "phone"]},
        ),
        (
            "Provider",
            {
                "fields": [
                    "organization_name",
                    "tax_id_number",
                    "npi",
                    "license_state",
                    "license_number",
                ]
            },
        ),
        (
            "Decision",
            {"fields": ["decided_at", "decided_by", "rejection_reason", "user"]},
        ),
    ]
    readonly_fields = [field for _, group in fieldsets for field in group["fields"]]

    class Media:
        css = {"all": ["css/admin_provider_registration.css"]}

    def get_ordering(self, request):
        # Oldest first; in "All", those awaiting verification before the decided ones.
        if request.GET.get(QueueFilter.parameter_name) != QueueFilter.ALL:
            return ["submitted_at", "pk"]
        return registration.queue_ordering()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The request's page is for reading; Approve and Reject change it through the service.
        return obj is None and self.has_decide_permission(request)

    def has_decide_permission(self, request):
        return super().has_change_permission(request)

    @admin.display(description="target")
    def target(self, obj):
        if obj.status != Status.PENDING:
            return "—"
        due_on = registration.registration_due_on(obj)
        if registration.registration_is_overdue(obj):
            return format_html(
                '<strong class="registration-overdue">Overdue: due {}</strong>',
                date_format(due_on, "D M j"),
            )
        return f"Due {date_format(due_on, 'D M j')}"

    @admin.display(description="records")
    def records(self, obj):
        """What the records said when the request arrived (the request's page looks again)."""
        found = []
        if obj.matched_tax_id_id:
            found.append("Tax ID on file")
        if obj.matched_practitioner_id:
            practitioner = obj.matched_practitioner
            found.append(
                "license on file"
                + ("" if practitioner.is_participating else " (not participating)")
            )
        return ", ".join(found) or "no match"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="{}_{}_approve".format(*info),
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="{}_{}_reject".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {}
        if obj is not None:
            extra = {
                "matches": registration.registration_matches(obj),
                "due_on": registration.registration_due_on(obj),
                "overdue": registration.registration_is_overdue(obj),
                "can_decide": obj.status == Status.PENDING and self.has_decide_permission(request),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _decidable(self, request, object_id):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        return get_object_or_404(RegistrationRequest, pk=object_id)

    def _change_url(self, obj):
        return reverse("admin:providers_registrationrequest_change", args=[obj.pk])

    def _decide_page(self, request, obj, *, decision, form=None, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"{decision.title()} {obj.transaction_id}",
            "decision": decision,
            "form": form,
            "matches": registration.registration_matches(obj),
        }
        return render(
            request, "admin/providers/registrationrequest/decide.html", context, status=status
        )

    def approve_view(self, request, object_id):
        obj = self._decidable(request, object_id)
        if obj.status != Status.PENDING:
            messages.error(request, f"{obj.transaction_id} was already decided.")
            return redirect(self._change_url(obj))
        if request.method != "POST":
            return self._decide_page(request, obj, decision="approve")
        try:
            registration.registration_request_approve(registration=obj, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self._change_url(obj))
        messages.success(
            request,
            f"{obj.transaction_id} approved: {obj.email} was emailed a link to complete "
            "registration.",
        )
        return redirect("admin:providers_registrationrequest_changelist")

    def reject_view(self, request, object_id):
        obj = self._decidable(request, object_id)
        if obj.status != Status.PENDING:
            messages.error(request, f"{obj.transaction_id} was already decided.")
            return redirect(self._change_url(obj))
        form = RegistrationRejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                registration.registration_request_reject(
                    registration=obj, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"{obj.transaction_id} rejected: {obj.email} was emailed the reason."
                )
                return redirect("admin:providers_registrationrequest_changelist")
        status = 400 if form.errors else 200
        return self._decide_page(request, obj, decision="reject", form=form, status=status)

    @admin.action(
        description="Email a new registration link (approved, not finished)",
        permissions=["decide"],
    )
    def resend_link(self, request, queryset):
        for obj in queryset:
            try:
                registration.registration_link_resend(registration=obj, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"A new registration link was emailed to {obj.email}.")
