from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from billing import bill_changes, generation
from billing.imports import PremiumRateImportForm, premium_rates_import
from billing.models import (
    AmountChangeRequest,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAccount,
    PaymentSubmission,
    PremiumRate,
    RecurringPayment,
)
from enrollment.models import Coverage
from portal.admin_mixins import FileImportAdmin, ReadOnlyAdmin
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    raw_id_fields = ["member", "plan"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Bills, and "Regenerate" on a bill's page: a confirmation showing what rebuilding it from
    the coverage, rates and payments now (billing.generation) would change, then the rebuild,
    audited with the ops user."""

    list_display = ["number", "group", "period_start", "due_date", "current_amount", "balance_due"]
    list_filter = [("period_start", admin.DateFieldListFilter)]
    search_fields = ["number", "group__number", "group__name"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]
    date_hierarchy = "period_start"
    inlines = [InvoiceLineInline]
    change_form_template = "admin/billing/invoice/change_form.html"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/regenerate/",
                self.admin_site.admin_view(self.regenerate_view),
                name="billing_invoice_regenerate",
            ),
            *super().get_urls(),
        ]

    def regenerate_view(self, request, object_id):
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            raise Http404
        if not self.has_change_permission(request, invoice):
            raise PermissionDenied
        change_url = reverse("admin:billing_invoice_change", args=[invoice.pk])
        if request.method == "POST":
            try:
                with transaction.atomic():
                    regeneration = generation.invoice_regenerate(invoice=invoice)
                    audit_record(
                        request=request, action=AuditEvent.Action.CHANGE, objects=[invoice]
                    )
                    self.log_change(request, invoice, _regeneration_summary(regeneration))
            except generation.GenerationError as error:
                self.message_user(request, f"Not regenerated: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Bill {invoice.number} regenerated. {_regeneration_summary(regeneration)}",
                    messages.SUCCESS,
                )
            return redirect(change_url)
        preview = generation.regeneration_preview(invoice)
        labels = {
            "balance_forward": "Balance forward",
            "current_amount": "Current period amount",
            "adjustments": "Adjustments",
            "payments": "Payments",
            "balance_due": "Balance due",
        }
        premium = [line for line in preview.draft.lines if line.kind == InvoiceLine.Kind.PREMIUM]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Regenerate bill {invoice.number}",
            "invoice": invoice,
            "original": invoice,
            "preview": preview,
            "figures": [
                (label, preview.before[name], preview.draft.figures()[name])
                for name, label in labels.items()
            ],
            "premium_line_count": len(premium),
            "adjustment_lines": [
                line for line in preview.draft.lines if line.kind == InvoiceLine.Kind.ADJUSTMENT
            ],
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/billing/invoice/regenerate.html", context)


def _regeneration_summary(regeneration):
    changes = regeneration.changes
    if not changes:
        return "Its figures are unchanged (its lines were written again)."
    return (
        "; ".join(
            f"{name.replace('_', ' ').capitalize()} {before} → {after}"
            for name, (before, after) in changes.items()
        )
        + "."
    )


@admin.register(PremiumRate)
class PremiumRateAdmin(admin.ModelAdmin):
    """The monthly premium of a plan and tier from a date on: bills use the one in effect on the
    first of their month, so a renewal is a new row, never an edit of the old one."""

    list_display = ["plan", "tier", "effective_date", "monthly_premium"]
    list_filter = ["tier", ("effective_date", admin.DateFieldListFilter)]
    search_fields = ["plan__code", "plan__name"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan"]
    date_hierarchy = "effective_date"


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
    raw_id_fields = ["group", "invoice", "recorded_by", "account", "submission", "recurring"]
    date_hierarchy = "received_on"


# Amount change requests: ops verify what employers asked from their bills. Requests change
# only through billing.bill_changes (approve or reject, with a note); the page is for reading.


class AmountChangeDecisionForm(forms.Form):
    note = forms.CharField(
        label="Note to the employer",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Emailed to the person who asked, and shown on the bill.",
    )

    def __init__(self, *args, decision, **kwargs):
        super().__init__(*args, **kwargs)
        # A declined request must say why; an approval may.
        self.fields["note"].required = decision == "reject"


def _figures(change):
    invoice = change.invoice
    return {
        "balance_forward": invoice.balance_forward,
        "current_amount": invoice.current_amount,
        "adjustments": invoice.adjustments,
        "payments": invoice.payments,
        "balance_due": invoice.balance_due,
        "requested_amount": change.requested_amount,
        "difference": change.requested_amount - invoice.balance_due,
    }


@admin.register(AmountChangeRequest)
class AmountChangeRequestAdmin(admin.ModelAdmin):
    """The verification queue: pending requests first, oldest waiting first, each with the bill's
    figures beside the amount asked. Approve or reject a selection with a note (an action)."""

    list_display = [
        "invoice",
        "group",
        "status",
        "requested_at",
        "bill_balance_due",
        "requested_amount",
        "difference",
        "requested_by",
    ]
    list_filter = ["status"]
    search_fields = ["invoice__number", "invoice__group__number", "requested_by__email"]
    list_select_related = ["invoice__group", "requested_by"]
    # Pending before decided, and within each the oldest first: the queue's head is the request
    # that has waited longest.
    ordering = [
        Case(When(status=AmountChangeRequest.Status.PENDING, then=Value(0)), default=Value(1)),
        "requested_at",
    ]
    actions = ["approve", "reject"]
    fields = [
        "invoice",
        "status",
        "requested_by",
        "requested_at",
        "reason",
        "figures",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page is for reading; the actions decide through billing.bill_changes.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="group")
    def group(self, change):
        return change.invoice.group.number

    @admin.display(description="bill's balance due now")
    def bill_balance_due(self, change):
        return change.invoice.balance_due

    @admin.display(description="difference")
    def difference(self, change):
        return change.requested_amount - change.invoice.balance_due

    @admin.display(description="the bill's figures")
    def figures(self, change):
        rows = [
            ("Balance forward", "balance_forward"),
            ("Current period amount", "current_amount"),
            ("Adjustments", "adjustments"),
            ("Payments", "payments"),
            ("Balance due now", "balance_due"),
            ("Amount asked", "requested_amount"),
            ("Difference (the adjustment an approval adds)", "difference"),
        ]
        values = _figures(change)
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><th scope='row'>{}</th><td>{}</td></tr>",
                ((label, values[key]) for label, key in rows),
            ),
        )

    @admin.action(description="Approve the selected requests (with a note)", permissions=["change"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, "approve")

    @admin.action(description="Reject the selected requests (with a note)", permissions=["change"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, "reject")

    def _decide(self, request, queryset, decision):
        """First a page with the requests' figures and a note; its submission decides them."""
        changes = list(queryset.select_related("invoice__group", "requested_by"))
        submitted = "decision_note_submitted" in request.POST
        form = AmountChangeDecisionForm(request.POST if submitted else None, decision=decision)
        if submitted and form.is_valid():
            service = (
                bill_changes.amount_change_approve
                if decision == "approve"
                else bill_changes.amount_change_reject
            )
            for change in changes:
                try:
                    service(change_request=change, by=request.user, note=form.cleaned_data["note"])
                except bill_changes.BillChangeError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                else:
                    verb = "approved" if decision == "approve" else "rejected"
                    self.message_user(
                        request,
                        f"The request on bill {change.invoice.number} was {verb}; "
                        f"{change.requested_by.email} is told by email.",
                        messages.SUCCESS,
                    )
            return None
        for change in changes:
            change.figures_table = _figures(change)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Approve amount changes" if decision == "approve" else "Reject amount changes",
            "decision": decision,
            "changes": changes,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/billing/amountchangerequest/decide.html", context)


# Payment accounts, recurring payments and submissions change only through billing.payments
# (employers' own pages); ops read them to answer questions. The account token is the
# gateway's key to the bank account: it is never shown, here or anywhere.


@admin.register(PaymentAccount)
class PaymentAccountAdmin(ReadOnlyAdmin):
    list_display = [
        "nickname",
        "employer",
        "account_type",
        "account_last4",
        "created_at",
        "removed_at",
    ]
    list_filter = ["account_type", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["nickname", "employer__name", "account_last4"]
    list_select_related = ["employer"]
    fields = [
        "employer",
        "nickname",
        "holder_name",
        "account_type",
        "routing_number",
        "account_last4",
        "created_by",
        "created_at",
        "removed_at",
    ]
    show_full_result_count = False


@admin.register(RecurringPayment)
class RecurringPaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "group",
        "day_of_month",
        "amount_kind",
        "fixed_amount",
        "account",
        "last_paid_period",
        "cancelled_at",
    ]
    list_filter = ["amount_kind", ("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["group__number", "group__name"]
    list_select_related = ["group", "account"]
    show_full_result_count = False


class SubmissionPaymentInline(admin.TabularInline):
    model = Payment
    fields = ["invoice", "group", "account", "amount", "received_on", "status", "gateway_reference"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentSubmission)
class PaymentSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "employer", "submitted_by", "on_behalf_of", "created_at"]
    search_fields = ["idempotency_key", "employer__name", "submitted_by__email"]
    list_select_related = ["employer", "submitted_by"]
    date_hierarchy = "created_at"
    inlines = [SubmissionPaymentInline]
    show_full_result_count = False


# Data loads: the premium rate list gets an Import page (an .xlsx or .csv file, with a dry run).
admin.site.unregister(PremiumRate)


@admin.register(PremiumRate)
class PremiumRateImportAdmin(FileImportAdmin, PremiumRateAdmin):
    import_form = PremiumRateImportForm
    import_help = "admin/billing/premiumrate/import_help.html"

    def import_rows(self, request, rows):
        dry_run = bool(request.POST.get("dry_run"))
        return premium_rates_import(rows=rows, by=request.user, dry_run=dry_run)

    def import_help_context(self):
        return {"tiers": Coverage.Tier.choices}
