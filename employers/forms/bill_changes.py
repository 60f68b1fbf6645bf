"""Forms for the changes asked from a bill. They check the shape of what is typed; the rules
(how far back coverage may end, one pending request a bill) are the services' to decide."""

from decimal import Decimal

from django import forms

from employers.forms.enrollment import CANCEL_REASONS, DATE, RequestForm


class RosterChangeForm(RequestForm):
    """Report that someone on the bill is no longer covered: whose coverage ends, and when."""

    member = forms.ModelChoiceField(label="Employee or dependent", queryset=None)
    end_date = forms.DateField(
        label="Last day of coverage",
        widget=DATE,
        help_text="Coverage ends at the end of this day, e.g. the employee's last day of work.",
    )
    reason = forms.ChoiceField(label="Reason", choices=CANCEL_REASONS)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.last_name}, {m.first_name} ({m.member_id}, {m.get_relationship_display()})"
        )


class RosterChangeConfirmForm(RosterChangeForm):
    """The review step: the same answers, hidden, and for a family the employee's last name
    typed, as Manage Enrollment's cancellation asks (every dependent loses coverage too)."""

    confirmation = forms.CharField(label="Type the employee's last name to confirm", required=False)

    def __init__(self, *args, expected="", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        for name in ("member", "end_date", "reason", "on_behalf_of"):
            self.fields[name].widget = forms.HiddenInput()
        if not expected:
            self.fields["confirmation"].widget = forms.HiddenInput()

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"].strip()
        if self.expected and typed.casefold() != self.expected.casefold():
            raise forms.ValidationError(
                f"Type {self.expected} exactly to confirm that the whole family loses coverage."
            )
        return typed


class AmountChangeForm(forms.Form):
    requested_amount = forms.DecimalField(
        label="Amount you expect to pay",
        min_value=Decimal("0.00"),
        max_digits=12,
        decimal_places=2,
        help_text="In dollars and cents, e.g. 1234.50. The carrier verifies it before the "
        "bill changes.",
    )
    reason = forms.CharField(
        label="Why the amount should change",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_requested_amount(self):
        return self.cleaned_data["requested_amount"].quantize(Decimal("0.01"))


class BillingPreferencesForm(forms.Form):
    paper_billing = forms.BooleanField(
        label="Mail paper bills", required=False, help_text="A printed bill each month by mail."
    )
    bills_by_email = forms.BooleanField(
        label="Email bills", required=False, help_text="Each month's bill, by email."
    )
    email = forms.EmailField(
        label="Email address for bills",
        required=False,
        max_length=254,
        help_text="Needed when bills are emailed, e.g. accounts.payable@example.com.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("bills_by_email")
            and not cleaned.get("email")
            and "email" not in self.errors
        ):
            self.add_error(
                "email", "Enter the address to email bills to, or turn bills by email off."
            )
        return cleaned
