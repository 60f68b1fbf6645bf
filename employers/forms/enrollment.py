"""Manage Enrollment's forms. They check the shape of what is typed; the carrier's rules (waiting
period, windows, ages, overlaps) are the enrollment services' to decide."""

import re
import uuid

from django import forms

from enrollment import services
from enrollment.models import Member, Plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEPENDENT_RELATIONSHIPS = [
    (Member.Relationship.SPOUSE, "Spouse"),
    (Member.Relationship.DOMESTIC_PARTNER, "Domestic partner"),
    (Member.Relationship.CHILD, "Child"),
]
MARITAL_STATUSES = [
    ("", "Not given"),
    ("Single", "Single"),
    ("Married", "Married"),
    ("Domestic partnership", "Domestic partnership"),
    ("Divorced", "Divorced"),
    ("Separated", "Separated"),
    ("Widowed", "Widowed"),
]
CANCEL_REASONS = [
    ("employment_ended", "Employment ended"),
    ("employee_request", "Employee's request"),
    ("no_longer_eligible", "No longer eligible"),
    ("death", "Death"),
    ("other", "Other"),
]


def _plan_label(plan):
    return f"{plan.plan_type} - {plan.name}"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _plan_label(obj)


def _clean_ssn(value):
    digits = re.sub(r"\D", "", value or "")
    if value and len(digits) != 9:
        raise forms.ValidationError("Enter the SSN as nine digits, e.g. 123-45-6789.")
    return digits


class RequestForm(forms.Form):
    """What every change form carries: who asked, if not the user, and a key that makes a
    second submission of the same form (a double click) change nothing more."""

    on_behalf_of = forms.CharField(
        label="On behalf of (optional)",
        required=False,
        max_length=120,
        help_text="Whose request this is, if you act for someone, e.g. the employee.",
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4().hex

    def request_kwargs(self):
        return {
            "on_behalf_of": self.cleaned_data["on_behalf_of"],
            "idempotency_key": self.cleaned_data["request_key"] or None,
        }


class MemberSearchForm(forms.Form):
    ssn = forms.CharField(label="SSN", required=False, max_length=11)
    name = forms.CharField(
        label="Last name",
        required=False,
        max_length=60,
        help_text='The beginning of a last name, or "last, first".',
    )
    member_id = forms.CharField(label="Subscriber ID", required=False, max_length=12)
    status = forms.ChoiceField(
        label="Enrollment status",
        required=False,
        choices=[("", "Any status"), *Member.Status.choices],
    )
    group = forms.ModelChoiceField(
        label="Group suffix", required=False, queryset=None, empty_label="All your groups"
    )
    plan = PlanChoiceField(label="Plan", required=False, queryset=None, empty_label="Any plan")

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["plan"].queryset = Plan.objects.filter(groups__in=groups).distinct()
        self.fields["group"].label_from_instance = lambda g: f"{g.number} {g.name}"

    def clean_ssn(self):
        return _clean_ssn(self.cleaned_data["ssn"])

    def clean_member_id(self):
        return self.cleaned_data["member_id"].strip()


class PersonForm(forms.Form):
    """A person's own details, for a new employee or dependent."""

    first_name = forms.CharField(label="First name", max_length=60)
    middle_initial = forms.CharField(label="Middle initial", max_length=1, required=False)
    last_name = forms.CharField(label="Last name", max_length=60)
    dob = forms.DateField(label="Date of birth", widget=DATE)
    gender = forms.ChoiceField(label="Gender", choices=Member.Gender.choices, initial="U")
    ssn = forms.CharField(
        label="SSN", max_length=11, required=False, help_text="Nine digits; stored encrypted."
    )
    pcp_name = forms.CharField(label="PCP name", max_length=120, required=False)
    pcp_npi = forms.CharField(
        label="PCP NPI", max_length=10, required=False, help_text="Ten digits, for HMO plans."
    )

    def clean_ssn(self):
        return _clean_ssn(self.cleaned_data["ssn"])

    def clean_pcp_npi(self):
        npi = self.cleaned_data["pcp_npi"].strip()
        if npi and not re.fullmatch(r"\d{10}", npi):
            raise forms.ValidationError("An NPI is ten digits.")
        return npi


class DependentForm(PersonForm):
    # A blank first choice, so that an unused row of the enrollment form is left unchanged (and
    # ignored) rather than read as a spouse with no name.
    relationship = forms.ChoiceField(
        label="Relationship", choices=[("", "Choose"), *DEPENDENT_RELATIONSHIPS]
    )
    field_order = ["relationship"]


DependentFormSet = forms.formset_factory(DependentForm, extra=3, max_num=10)


class EnrollForm(PersonForm, RequestForm):
    """The employee, their coverage and contact details."""

    plan = PlanChoiceField(label="Plan", queryset=None, empty_label=None)
    hire_date = forms.DateField(label="Date of hire", widget=DATE)
    effective_date = forms.DateField(
        label="Coverage effective date",
        widget=DATE,
        help_text="No earlier than the group's waiting period allows after the date of hire.",
    )
    marital_status = forms.ChoiceField(
        label="Marital status", choices=MARITAL_STATUSES, required=False
    )
    spoken_language = forms.CharField(label="Language (spoken)", max_length=30, initial="English")
    street = forms.CharField(label="Street address", max_length=120)
    city = forms.CharField(label="City", max_length=60)
    state = forms.CharField(label="State", max_length=2)
    zip_code = forms.CharField(label="ZIP code", max_length=10)
    county = forms.CharField(label="County", max_length=60, required=False)
    home_phone = forms.CharField(label="Home phone", max_length=20, required=False)
    work_phone = forms.CharField(label="Work phone", max_length=20, required=False)
    email = forms.EmailField(label="Email", required=False)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = group.plans.order_by("plan_type", "name")

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()


class DependentAddForm(DependentForm, RequestForm):
    effective_date = forms.DateField(label="Coverage effective date", widget=DATE)


class MemberUpdateForm(RequestForm):
    """Name, marital status and language; for an employee also address, phones and email."""

    first_name = forms.CharField(label="First name", max_length=60)
    middle_initial = forms.CharField(label="Middle initial", max_length=1, required=False)
    last_name = forms.CharField(label="Last name", max_length=60)
    marital_status = forms.ChoiceField(
        label="Marital status", choices=MARITAL_STATUSES, required=False
    )
    spoken_language = forms.CharField(label="Language (spoken)", max_length=30)
    street = forms.CharField(label="Street address", max_length=120, required=False)
    city = forms.CharField(label="City", max_length=60, required=False)
    state = forms.CharField(label="State", max_length=2, required=False)
    zip_code = forms.CharField(label="ZIP code", max_length=10, required=False)
    county = forms.CharField(label="County", max_length=60, required=False)
    home_phone = forms.CharField(label="Home phone", max_length=20, required=False)
    work_phone = forms.CharField(label="Work phone", max_length=20, required=False)
    email = forms.EmailField(label="Email", required=False)

    def __init__(self, *args, member, **kwargs):
        fields = services.PERSON_FIELDS + (services.CONTACT_FIELDS if member.is_subscriber else ())
        kwargs.setdefault("initial", {f: getattr(member, f) for f in fields})
        super().__init__(*args, **kwargs)
        if not member.is_subscriber:
            for field in services.CONTACT_FIELDS:
                del self.fields[field]
        self.member_fields = fields

    def changes(self):
        return {f: self.cleaned_data[f] for f in self.member_fields}


class PlanChangeForm(RequestForm):
    plan = PlanChoiceField(label="New plan", queryset=None, empty_label=None)
    reason = forms.ChoiceField(
        label="Why the plan changes",
        choices=[
            (services.OPEN_ENROLLMENT, "Open enrollment"),
            *((k, f"Qualifying life event: {v}") for k, v in services.QUALIFYING_EVENTS.items()),
        ],
    )
    event_date = forms.DateField(
        label="Date of the qualifying life event",
        widget=DATE,
        required=False,
        help_text="Not needed at open enrollment.",
    )
    effective_date = forms.DateField(label="New plan effective date", widget=DATE)

    def __init__(self, *args, group, current_plan, **kwargs):
        super().__init__(*args, **kwargs)
        plans = group.plans.order_by("plan_type", "name")
        if current_plan is not None:
            plans = plans.exclude(pk=current_plan.pk)
        self.fields["plan"].queryset = plans


class PcpChangeForm(RequestForm):
    pcp_name = forms.CharField(label="New PCP name", max_length=120)
    pcp_npi = forms.CharField(label="New PCP NPI", max_length=10, help_text="Ten digits.")
    effective_date = forms.DateField(label="Effective date", widget=DATE)

    def clean_pcp_npi(self):
        npi = self.cleaned_data["pcp_npi"].strip()
        if not re.fullmatch(r"\d{10}", npi):
            raise forms.ValidationError("An NPI is ten digits.")
        return npi


class CancelForm(RequestForm):
    end_date = forms.DateField(
        label="Last day of coverage",
        widget=DATE,
        help_text="Coverage ends at the end of this day.",
    )
    reason = forms.ChoiceField(label="Reason", choices=CANCEL_REASONS)


class CancelConfirmForm(CancelForm):
    """The review step: the same answers, hidden, plus the typed confirmation for a family."""

    confirmation = forms.CharField(label="Type the employee's last name to confirm", required=False)

    def __init__(self, *args, expected="", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        for name in ("end_date", "reason", "on_behalf_of"):
            self.fields[name].widget = forms.HiddenInput()

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"].strip()
        if self.expected and typed.casefold() != self.expected.casefold():
            raise forms.ValidationError(
                f"Type {self.expected} exactly to confirm that the whole family loses coverage."
            )
        return typed


class CobraForm(RequestForm):
    qualifying_event = forms.ChoiceField(
        label="Qualifying event", choices=list(services.COBRA_EVENTS.items())
    )
    event_date = forms.DateField(label="Date of the qualifying event", widget=DATE)
    coverage_end = forms.DateField(
        label="Last day of employer coverage",
        widget=DATE,
        help_text="COBRA continuation starts the next day.",
    )
    continuing = forms.ModelMultipleChoiceField(
        label="Who continues on COBRA",
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
    )

    def __init__(self, *args, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["continuing"].queryset = Member.objects.filter(pk__in=[m.pk for m in family])
        self.fields["continuing"].label_from_instance = lambda m: (
            f"{m.first_name} {m.last_name} ({m.get_relationship_display()})"
        )
        self.fields["continuing"].initial = [m.pk for m in family]
