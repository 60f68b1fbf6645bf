"""Manage Enrollment: search employees, enroll them and their dependents, update them, change
plan and PCP, cancel (through a review), reinstate and move to COBRA.

Every member is found through the administrator's visible groups (404 for another suffix's or
employer's member); changes need `perform_enrollment` on the member's group (403 without it)
and run through enrollment.services, whose EnrollmentError is shown as it is, changing nothing.
Every page that shows member data writes an audit event.

The same views serve the brokers an employer granted perform_enrollment on a group
(/brokers/enrollment/..., see employers.access.employer_or_broker): they see and change only
that group's members (404 elsewhere), and every change records the broker-portal user as `by`
and, as on whose behalf, the employer and the broker (access.on_behalf_of_text).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from employers import selectors
from employers.access import employer_or_broker, on_behalf_of_text
from employers.forms.enrollment import (
    CancelConfirmForm,
    CancelForm,
    CobraForm,
    DependentAddForm,
    DependentFormSet,
    EnrollForm,
    MemberSearchForm,
    MemberUpdateForm,
    PcpChangeForm,
    PlanChangeForm,
    RequestForm,
)
from enrollment import services
from enrollment.models import Coverage, Member
from enrollment.services import EnrollmentError
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.lists import chosen_sort, list_template, sortable_columns

MEMBERS_PER_PAGE = 25
# The search list's columns: heading, sort key (see selectors.MEMBER_SORTS).
COLUMNS = [
    ("Name", "name"),
    ("Subscriber ID", "id"),
    ("SSN", None),
    ("Group Suffix", "group"),
    ("Plan", "plan"),
    ("Status", "status"),
]
PERSON_KEYS = ("first_name", "middle_initial", "last_name", "dob", "gender", "ssn")
PCP_KEYS = ("pcp_name", "pcp_npi")
CONTACT_KEYS = (
    "marital_status",
    "spoken_language",
    "street",
    "city",
    "state",
    "zip_code",
    "county",
    "home_phone",
    "work_phone",
    "email",
)

FAMILY_NOTE = " Cancelling an employee ends their dependents' coverage too."


def _url(request, name, *args):
    """A Manage Enrollment URL in the portal the page is shown in (the employer's or a
    broker's)."""
    return reverse(f"{request.portal.namespace}:{name}", args=args)


def _list_crumb(request):
    return ("Manage Enrollment", _url(request, "enrollment"))


def _member_crumb(request, member):
    name = f"{member.first_name} {member.last_name}"
    return (name, _url(request, "enrollment-member", member.pk))


def _acting_for_employer(request, form, group):
    """On a broker's page the change is made for the group's employer: that is what it records
    as on whose behalf, shown on the form and not the broker's to type."""
    if request.portal.namespace == "brokers":
        field = form.fields["on_behalf_of"]
        field.disabled = True
        field.initial = on_behalf_of_text(request.user, group.parent.employer)
        field.label = "On behalf of"
        field.help_text = "You act for the employer, as its broker; the change records both."
    return form


def _member_to_change(request, pk):
    """The member `pk` of a visible group (404 otherwise), if the user may enroll there (403)."""
    member = selectors.get_member_for(request.user, pk)
    if not selectors.may_perform_enrollment(request.user, member.group):
        raise PermissionDenied
    return member


def _subscriber_of(member):
    return member if member.is_subscriber else member.subscriber


def _done(request, member, message):
    messages.success(request, message)
    return redirect(_url(request, "enrollment-member", member.pk))


def _form_page(request, template, *, title, member=None, **context):
    breadcrumbs = [_list_crumb(request)]
    if member is not None:
        breadcrumbs.append(_member_crumb(request, member))
    return render(
        request,
        f"employers/enrollment/{template}",
        {
            "title": title,
            "breadcrumbs": breadcrumbs,
            "member": member,
            "portal": request.portal,
            **context,
        },
    )


@require_GET
@employer_or_broker
def member_search(request):
    groups = selectors.enrollment_groups_for(request.user, "view_roster")
    form = MemberSearchForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = chosen_sort(request, selectors.MEMBER_SORTS, "name")
    members = selectors.subscribers_search_for(request.user, sort=sort, **filters)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record(request=request, action=AuditEvent.Action.SEARCH, objects=page.object_list)
    context = {
        "title": "Manage Enrollment",
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "searched": any(value not in ("", None) for value in filters.values()),
        "enroll_groups": selectors.enrollment_groups_for(request.user, "perform_enrollment"),
        "portal": request.portal,
    }
    template = list_template(request, "employers/enrollment/member_list.html", "member-results")
    return render(request, template, context)


# History's words for the fields whose names do not read well.
FIELD_LABELS = {
    "pcp_name": "PCP",
    "pcp_npi": "PCP NPI",
    "zip_code": "ZIP code",
    "end_date": "Coverage end",
    "spoken_language": "Language (spoken)",
}
VALUE_LABELS = {
    "tier": dict(Coverage.Tier.choices),
    "status": dict(Member.Status.choices),
}


def _changes_of(details):
    """[(what, before, after)] of an event's details, in words."""
    before, after = details.get("before", {}), details.get("after", {})
    rows = []
    for field, value in after.items():
        label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
        words = VALUE_LABELS.get(field, {})
        old = before.get(field)
        rows.append((label, words.get(old, old), words.get(value, value)))
    return rows


@require_GET
@employer_or_broker
def member_detail(request, pk):
    """A member, their family with each one's coverage periods, and the member's history."""
    member = selectors.get_member_for(request.user, pk)
    subscriber = _subscriber_of(member)
    family = selectors.family_with_coverage(subscriber)
    history = [(event, _changes_of(event.details)) for event in selectors.member_history(member)]
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=family)
    return render(
        request,
        "employers/enrollment/member_detail.html",
        {
            "title": f"{member.first_name} {member.last_name}",
            "breadcrumbs": [_list_crumb(request)],
            "portal": request.portal,
            "member": member,
            "subscriber": subscriber,
            "family": family,
            "history": history,
            "can_change": selectors.may_perform_enrollment(request.user, member.group),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def member_enroll(request, group_pk):
    # A group the user cannot see is 404; one they see but may not enroll in is 403.
    group = selectors.get_enrollment_group_for(request.user, group_pk, "view_roster")
    if not selectors.may_perform_enrollment(request.user, group):
        raise PermissionDenied
    form = _acting_for_employer(request, EnrollForm(request.POST or None, group=group), group)
    dependents = DependentFormSet(request.POST or None, prefix="dependents")
    error = None
    if request.method == "POST" and form.is_valid() and dependents.is_valid():
        data = form.cleaned_data
        people = [d.cleaned_data for d in dependents if d.has_changed() and d.cleaned_data]
        try:
            subscriber = services.member_enroll(
                group=group,
                plan=data["plan"],
                hire_date=data["hire_date"],
                effective_date=data["effective_date"],
                subscriber={k: data[k] for k in (*PERSON_KEYS, *PCP_KEYS, *CONTACT_KEYS)},
                dependents=[
                    {k: p[k] for k in (*PERSON_KEYS, *PCP_KEYS, "relationship")} for p in people
                ],
                by=request.user,
                **form.request_kwargs(),
            )
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[subscriber])
            return _done(
                request,
                subscriber,
                f"{subscriber.first_name} {subscriber.last_name} was enrolled"
                f"{f' with {len(people)} dependent(s)' if people else ''}.",
            )
    return render(
        request,
        "employers/enrollment/member_enroll.html",
        {
            "title": "Enroll an Employee",
            "breadcrumbs": [_list_crumb(request)],
            "portal": request.portal,
            "group": group,
            "form": form,
            "dependents": dependents,
            "error": error,
        },
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def dependent_add(request, pk):
    subscriber = _member_to_change(request, pk)
    if not subscriber.is_subscriber:
        return redirect(_url(request, "enrollment-dependent-add", subscriber.subscriber_id))
    form = DependentAddForm(request.POST or None, initial={"last_name": subscriber.last_name})
    _acting_for_employer(request, form, subscriber.group)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            dependent = services.dependent_add(
                subscriber=subscriber,
                person={k: data[k] for k in (*PERSON_KEYS, *PCP_KEYS, "relationship")},
                effective_date=data["effective_date"],
                by=request.user,
                **form.request_kwargs(),
            )
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[dependent])
            return _done(
                request, subscriber, f"{dependent.first_name} {dependent.last_name} was added."
            )
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[subscriber])
    return _form_page(
        request,
        "member_form.html",
        title="Add a Dependent",
        member=subscriber,
        form=form,
        error=error,
        submit="Add Dependent",
        intro="A spouse, domestic partner, or child under 26 joins the employee's plan.",
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def member_update(request, pk):
    member = _member_to_change(request, pk)
    form = MemberUpdateForm(request.POST or None, member=member)
    _acting_for_employer(request, form, member.group)
    error = None
    if form.is_valid():
        try:
            services.member_update(
                member=member, changes=form.changes(), by=request.user, **form.request_kwargs()
            )
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[member])
            return _done(request, member, f"{member.first_name} {member.last_name} was updated.")
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[member])
    return _form_page(
        request,
        "member_form.html",
        title="Update Information",
        member=member,
        form=form,
        error=error,
        submit="Save Changes",
        intro=""
        if member.is_subscriber
        else "A dependent's address, phones and email are the employee's.",
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def plan_change(request, pk):
    member = _member_to_change(request, pk)
    subscriber = _subscriber_of(member)
    form = PlanChangeForm(request.POST or None, group=member.group, current_plan=subscriber.plan)
    _acting_for_employer(request, form, member.group)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_change(
                subscriber=subscriber,
                plan=data["plan"],
                effective_date=data["effective_date"],
                reason=data["reason"],
                event_date=data["event_date"],
                by=request.user,
                **form.request_kwargs(),
            )
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[subscriber])
            return _done(request, subscriber, f"The family's plan changes to {data['plan']}.")
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[subscriber])
    return _form_page(
        request,
        "member_form.html",
        title="Change Plan",
        member=subscriber,
        form=form,
        error=error,
        submit="Change Plan",
        intro=f"The whole family moves from {subscriber.plan or 'no plan'} to the new plan.",
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def pcp_change(request, pk):
    member = _member_to_change(request, pk)
    form = _acting_for_employer(request, PcpChangeForm(request.POST or None), member.group)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.pcp_change(
                member=member,
                pcp_name=data["pcp_name"],
                pcp_npi=data["pcp_npi"],
                effective_date=data["effective_date"],
                by=request.user,
                **form.request_kwargs(),
            )
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[member])
            return _done(request, member, f"{member.first_name}'s PCP is now {data['pcp_name']}.")
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[member])
    return _form_page(
        request,
        "member_form.html",
        title="Change PCP",
        member=member,
        form=form,
        error=error,
        submit="Change PCP",
        intro=f"Current PCP: {member.pcp_name or 'none chosen'}"
        f"{f' (NPI {member.pcp_npi})' if member.pcp_npi else ''}.",
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def coverage_cancel(request, pk):
    """Three steps against accidental cancellation: the date and reason; a review that names
    everyone who loses coverage and when (typing the last name, for a family); then the change."""
    member = _member_to_change(request, pk)
    step = request.POST.get("step", "")
    form = CancelForm(request.POST if step == "review" else None)
    _acting_for_employer(request, form, member.group)
    error, losing = None, None
    if step in ("review", "confirm"):
        if step == "confirm":
            form = _acting_for_employer(request, CancelForm(request.POST), member.group)
        if form.is_valid():
            try:
                losing = services.cancellation_preview(member, form.cleaned_data["end_date"])
            except EnrollmentError as e:
                error = e.message
    if losing is not None:
        expected = member.last_name if len(losing) > 1 else ""
        confirm = CancelConfirmForm(
            request.POST if step == "confirm" else None,
            expected=expected,
            initial={**form.cleaned_data, "request_key": form.cleaned_data["request_key"]},
        )
        _acting_for_employer(request, confirm, member.group)
        if step == "confirm" and confirm.is_valid():
            try:
                services.coverage_cancel(
                    member=member,
                    end_date=confirm.cleaned_data["end_date"],
                    reason=confirm.cleaned_data["reason"],
                    by=request.user,
                    **confirm.request_kwargs(),
                )
            except EnrollmentError as e:
                error = e.message
            else:
                audit_record(
                    request=request,
                    action=AuditEvent.Action.CHANGE,
                    objects=[m for m, _ in losing],
                )
                names = ", ".join(f"{m.first_name} {m.last_name}" for m, _ in losing)
                return _done(
                    request,
                    member,
                    f"Coverage ends on {confirm.cleaned_data['end_date']:%m/%d/%Y} for {names}.",
                )
        if error is None:
            audit_record(
                request=request, action=AuditEvent.Action.VIEW, objects=[m for m, _ in losing]
            )
            return _form_page(
                request,
                "cancel_review.html",
                title="Review Cancellation",
                member=member,
                form=confirm,
                losing=losing,
                end_date=form.cleaned_data["end_date"],
                family=bool(expected),
                reinstate_days=settings.ENROLLMENT_REINSTATE_DAYS,
            )
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[member])
    return _form_page(
        request,
        "member_form.html",
        title="Cancel Coverage",
        member=member,
        form=form,
        error=error,
        submit="Review Cancellation",
        step="review",
        intro="Nothing changes yet: the next page shows who loses coverage and when, for you "
        "to confirm." + (FAMILY_NOTE if member.is_subscriber else ""),
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def coverage_reinstate(request, pk):
    """A review of what comes back (as it was, nothing to retype), then the change."""
    member = _member_to_change(request, pk)
    error, reopening = None, []
    try:
        reopening = services.reinstatement_preview(member)
    except EnrollmentError as e:
        error = e.message
    form = _acting_for_employer(request, RequestForm(request.POST or None), member.group)
    if request.method == "POST" and error is None and form.is_valid():
        try:
            services.coverage_reinstate(member=member, by=request.user, **form.request_kwargs())
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(
                request=request, action=AuditEvent.Action.CHANGE, objects=[m for m, _ in reopening]
            )
            names = ", ".join(f"{m.first_name} {m.last_name}" for m, _ in reopening)
            return _done(request, member, f"Coverage was reinstated for {names}.")
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[member])
    return _form_page(
        request,
        "reinstate_review.html",
        title="Reinstate Coverage",
        member=member,
        form=form,
        error=error,
        reopening=reopening,
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def cobra_transition(request, pk):
    member = _member_to_change(request, pk)
    subscriber = _subscriber_of(member)
    family = [m for m in services.family_of(subscriber) if m.status in services.COVERED]
    form = _acting_for_employer(
        request, CobraForm(request.POST or None, family=family), member.group
    )
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.cobra_transition(
                subscriber=subscriber,
                qualifying_event=data["qualifying_event"],
                event_date=data["event_date"],
                coverage_end=data["coverage_end"],
                continuing=list(data["continuing"]),
                by=request.user,
                **form.request_kwargs(),
            )
        except EnrollmentError as e:
            error = e.message
        else:
            audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=family)
            start = data["coverage_end"] + datetime.timedelta(days=1)
            return _done(
                request,
                subscriber,
                f"COBRA continuation starts on {start:%m/%d/%Y} for "
                f"{len(data['continuing'])} member(s).",
            )
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=family)
    return _form_page(
        request,
        "member_form.html",
        title="Transition to COBRA",
        member=subscriber,
        form=form,
        error=error,
        submit="Move to COBRA",
        intro="Employer coverage ends on the day you give; those you tick continue on COBRA, "
        "same plan, from the next day. Their history is kept.",
    )
