"""Payment history: the search an administrator (or a broker the employer granted
view_payment_history) runs over the payments of their groups, and its export as a report job.

The page (employers/views/payment_history.py) and the export share `PaymentHistoryFilterForm`,
so the file holds exactly what the page listed; the export runs the search again as its
requester when the worker makes it, so access taken away meanwhile is respected.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from billing.models import Payment
from employers import selectors
from portal.jobs.registry import Report, register
from portal.jobs.writers import write_xlsx

DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]


class PaymentHistoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Reference or invoice number",
        required=False,
        max_length=40,
        help_text="A payment's confirmation or reference number, or an invoice number.",
    )
    group = forms.TypedChoiceField(label="Group", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *Payment.Status.choices]
    )
    start = forms.DateField(
        label="From", required=False, input_formats=DATE_INPUT_FORMATS, help_text="MM/DD/YYYY"
    )
    end = forms.DateField(
        label="To", required=False, input_formats=DATE_INPUT_FORMATS, help_text="MM/DD/YYYY"
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All groups")] + [
            (group.pk, f"{group.number} {group.name}") for group in groups
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        return data

    def filters(self, groups):
        """The search the valid fields ask for, after is_valid(): keyword arguments of
        selectors.payments_for. An invalid field is left out (the page shows its message), so
        the list never errors on what someone typed."""
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "group": next((g for g in groups if g.pk == data.get("group")), None),
            "status": data.get("status") or "",
            "start": data.get("start"),
            "end": data.get("end"),
        }


def parameters_of(filters, sort):
    """The stored parameters of an export of the search `filters` (see `filters()`)."""
    return {
        "q": filters["q"],
        "group": filters["group"].pk if filters["group"] else "",
        "status": filters["status"],
        "start": filters["start"].isoformat() if filters["start"] else "",
        "end": filters["end"].isoformat() if filters["end"] else "",
        "sort": sort,
    }


def account_text(account):
    """How a payment's account shows: "Operating (…6789)"."""
    return f"{account.nickname} (…{account.account_last4})" if account else ""


def status_text(payment):
    if payment.status == Payment.Status.RETURNED:
        return f"Returned: {payment.return_reason}"
    return payment.get_status_display()


@register
class PaymentHistoryExport(Report):
    """The payment history search as an XLSX file: one row per payment."""

    kind = "payment_history_xlsx"
    title = "Payment history"
    headers = [
        "Date",
        "Group",
        "Group name",
        "Invoice",
        "Amount",
        "Account",
        "Method",
        "Status",
        "Confirmation",
        "Reference",
    ]
    widths = [12, 12, 30, 16, 14, 28, 20, 40, 24, 20]

    @classmethod
    def clean_parameters(cls, data):
        form = PaymentHistoryFilterForm(data)
        # Any group is syntactically fine here; is_available_to and the search decide access.
        form.fields["group"] = forms.IntegerField(required=False, min_value=1)
        if not form.is_valid():
            raise ValueError("The payment history search was not valid.")
        sort = str(data.get("sort") or "-date")
        if sort.removeprefix("-") not in selectors.PAYMENT_SORTS:
            sort = "-date"
        cleaned = form.cleaned_data
        return {
            "q": cleaned["q"],
            "group": cleaned["group"] or "",
            "status": cleaned["status"],
            "start": cleaned["start"].isoformat() if cleaned["start"] else "",
            "end": cleaned["end"].isoformat() if cleaned["end"] else "",
            "sort": sort,
        }

    def groups_for(self, user):
        return selectors.billing_groups_for(user, "view_payment_history")

    def is_available_to(self, user):
        groups = self.groups_for(user)
        if self.parameters.get("group"):
            groups = groups.filter(pk=self.parameters["group"])
        return groups.exists()

    def filename(self):
        return f"payment-history-{timezone.localdate():%Y-%m-%d}.xlsx"

    @cached_property
    def _dates(self):
        return {
            key: datetime.date.fromisoformat(self.parameters[key])
            if self.parameters.get(key)
            else None
            for key in ("start", "end")
        }

    def payments(self, user):
        group = None
        if self.parameters.get("group"):
            group = self.groups_for(user).filter(pk=self.parameters["group"]).first()
            if group is None:
                return Payment.objects.none()
        return selectors.payments_for(
            user,
            sort=self.parameters.get("sort") or "-date",
            q=self.parameters.get("q") or "",
            group=group,
            status=self.parameters.get("status") or "",
            **self._dates,
        )

    def generate(self, job, out, progress):
        payments = self.payments(job.requester)
        exported = []

        def rows():
            for payment in payments.iterator(chunk_size=2000):
                exported.append(payment.pk)
                yield (
                    payment.received_on,
                    payment.group.number,
                    payment.group.name,
                    payment.invoice.number if payment.invoice else "",
                    payment.amount,
                    account_text(payment.account),
                    payment.get_method_display(),
                    status_text(payment),
                    payment.gateway_reference,
                    payment.reference,
                )

        write_xlsx(
            out,
            sheet_title="Payment history",
            headers=self.headers,
            rows=rows(),
            widths=self.widths,
            total=payments.count(),
            progress=progress,
        )
        return {"billing.Payment": exported}
