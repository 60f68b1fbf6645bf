"""Pay My Bill's payment forms: a bank account, a payment across bills, a recurring payment.

They check what a person can fix on the page (a mistyped routing number, two account numbers
that differ, an amount above what a bill may take); billing.payments checks it all again, under
lock, and its PaymentError is shown as it is.
"""

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from billing.models import PaymentAccount, RecurringPayment
from billing.payments import dollars, payment_date_bounds, routing_number_valid

AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class PaymentAccountForm(forms.Form):
    nickname = forms.CharField(
        label="Nickname",
        max_length=40,
        help_text="The name you will choose this account by, e.g. “Operating account”.",
    )
    holder_name = forms.CharField(label="Name on the account", max_length=120)
    account_type = forms.ChoiceField(
        label="Account type",
        choices=PaymentAccount.AccountType.choices,
        widget=forms.RadioSelect,
        initial=PaymentAccount.AccountType.CHECKING,
    )
    routing_number = forms.CharField(
        label="Routing number",
        min_length=9,
        max_length=9,
        help_text="The nine digits at the bottom left of a check.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=17,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_number_confirm = forms.CharField(
        label="Account number again",
        max_length=17,
        help_text="Type it again, so that a slip of a finger doesn't send money elsewhere.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_routing_number(self):
        number = self.cleaned_data["routing_number"].strip()
        if not routing_number_valid(number):
            raise forms.ValidationError(
                "That routing number is not valid: check the nine digits printed at the "
                "bottom left of a check."
            )
        return number

    def clean_account_number(self):
        number = self.cleaned_data["account_number"].strip()
        if not number.isdigit() or not 4 <= len(number) <= 17:
            raise forms.ValidationError("Enter the account number: 4 to 17 digits.")
        return number

    def clean(self):
        data = super().clean()
        first, second = data.get("account_number"), data.get("account_number_confirm", "").strip()
        if first and second != first:
            self.add_error("account_number_confirm", "The two account numbers differ.")
        return data


class PaymentAccountRenameForm(forms.Form):
    nickname = forms.CharField(label="New nickname", max_length=40)


class PaymentForm(forms.Form):
    """Make a Payment: per bill an amount (blank: not paying it) and the account it comes from,
    one payment date for all, and the key that makes a resent form pay nothing more."""

    pay_on = forms.DateField(
        label="Payment date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today, or a later day within 30 days: the payment is then scheduled.",
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, invoices, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoices, self.accounts = list(invoices), list(accounts)
        today = timezone.localdate()
        self.first_day, self.last_day = payment_date_bounds(today)
        self.fields["pay_on"].initial = today
        self.fields["pay_on"].widget.attrs.update(
            {"min": self.first_day.isoformat(), "max": self.last_day.isoformat()}
        )
        self.fields["request_key"].initial = uuid.uuid4().hex
        choices = [(str(a.pk), str(a)) for a in self.accounts]
        for invoice in self.invoices:
            self.fields[f"amount_{invoice.pk}"] = forms.DecimalField(
                label=f"Amount to pay on {invoice.number}", required=False, **AMOUNT
            )
            self.fields[f"account_{invoice.pk}"] = forms.ChoiceField(
                label=f"Pay {invoice.number} from", choices=choices, required=False
            )

    def rows(self):
        """(invoice, amount field, account field, the account chosen) for each bill, for the
        template, which writes the inputs out itself: Django's widget templates cost a
        millisecond or two a field, a third of a second for a page of sixty bills."""
        rows = []
        for invoice in self.invoices:
            amount, account = self[f"amount_{invoice.pk}"], self[f"account_{invoice.pk}"]
            chosen = account.value() if self.is_bound else None
            rows.append((invoice, amount, account, str(chosen or "")))
        return rows

    def account_choices(self):
        return [(str(a.pk), str(a)) for a in self.accounts]

    def clean_pay_on(self):
        day = self.cleaned_data["pay_on"]
        if not self.first_day <= day <= self.last_day:
            raise forms.ValidationError(
                f"Choose a day from {self.first_day:%m/%d/%Y} to {self.last_day:%m/%d/%Y}."
            )
        return day

    def clean(self):
        data = super().clean()
        if not data.get("request_key"):
            raise forms.ValidationError("This form has expired. Open Make a Payment again.")
        offered = {f"amount_{invoice.pk}" for invoice in self.invoices}
        if any(
            key.startswith("amount_") and key not in offered and str(value).strip()
            for key, value in self.data.items()
        ):
            # Paid in full by someone else since the page was drawn (or never the user's to pay).
            raise forms.ValidationError(
                "A bill you entered an amount for has nothing left to pay now, or is not one "
                "you may pay. Check the bills below and submit again."
            )
        accounts = {str(a.pk): a for a in self.accounts}
        lines = []
        for invoice in self.invoices:
            amount = data.get(f"amount_{invoice.pk}")
            if amount is None:
                continue
            if amount > invoice.payable:
                self.add_error(
                    f"amount_{invoice.pk}",
                    f"At most {dollars(invoice.payable)} may be paid on this bill.",
                )
                continue
            account = accounts.get(data.get(f"account_{invoice.pk}") or "")
            if account is None:
                self.add_error(f"account_{invoice.pk}", "Choose the account to pay from.")
                continue
            lines.append((invoice, account, amount))
        if not lines and not self.errors:
            raise forms.ValidationError("Enter an amount for at least one bill.")
        data["lines"] = lines
        return data


class RecurringPaymentForm(forms.Form):
    group = forms.ModelChoiceField(label="Group", queryset=None, empty_label=None)
    account = forms.ModelChoiceField(label="Pay from", queryset=None, empty_label=None)
    day_of_month = forms.TypedChoiceField(
        label="Day of the month",
        coerce=int,
        choices=[(day, str(day)) for day in range(1, 29)],
        help_text="1 to 28, so that every month has the day.",
    )
    amount_kind = forms.ChoiceField(
        label="Amount",
        choices=RecurringPayment.AmountKind.choices,
        widget=forms.RadioSelect,
        initial=RecurringPayment.AmountKind.BALANCE_DUE,
    )
    fixed_amount = forms.DecimalField(
        label="Fixed amount",
        required=False,
        help_text="Only for a fixed amount; never more than the bills may take.",
        **AMOUNT,
    )

    def __init__(self, *args, groups, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: f"{g.number} {g.name}"
        self.fields["account"].queryset = accounts

    def clean(self):
        data = super().clean()
        if data.get("amount_kind") == RecurringPayment.AmountKind.FIXED:
            if data.get("fixed_amount") is None:
                self.add_error("fixed_amount", "Enter the fixed amount.")
        else:
            data["fixed_amount"] = None
        return data
