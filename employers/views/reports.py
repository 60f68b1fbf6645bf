"""Manage Accounts & Reports → Reports: the standard reports and the user's own report
definitions (standard or custom, one-time or recurring), set up, changed, run and deleted.

One set of views for an employer's administrators with the reports function
(/employers/accounts-reports/reports/...) and the brokers an employer granted run_reports
(/brokers/reports/...): see employers.access.employer_or_broker. A definition is only ever its
owner's, and only while they may still report on its employer's groups; any other answers 404.
A run is a report job: its page (portal.jobs) shows the progress and the download, which is
audited.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from employers.access import employer_or_broker
from employers.forms.reports import ReportDefinitionForm, initial_of
from employers.models import ReportDefinition
from employers.reporting import catalogue, selectors, services
from enrollment.models import Employer, Group, Plan

DEFINITIONS_PER_PAGE = 25
RECENT_JOBS = 10
Kind = ReportDefinition.Kind


def _url(request, name, *args):
    return reverse(f"{request.portal.namespace}:{name}", args=args)


def _breadcrumbs(request, *more):
    crumbs = [("Reports", _url(request, "report-list")), *more]
    if request.portal.namespace == "employers":
        crumbs.insert(0, ("Manage Accounts & Reports", reverse("employers:accounts-reports")))
    return crumbs


def _context(request, **context):
    return {"portal": request.portal, **context}


@require_GET
@employer_or_broker
def report_list(request):
    """The standard reports to set up, the user's saved reports (paged) and their latest files."""
    user = request.user
    definitions = selectors.report_definitions_for(user).select_related("employer")
    page = Paginator(definitions, DEFINITIONS_PER_PAGE).get_page(request.GET.get("page"))
    standard = [
        (kind, kind.label, catalogue.STANDARD[kind].description)
        for kind in Kind
        if kind != Kind.CUSTOM
    ]
    context = _context(
        request,
        title="Reports",
        breadcrumbs=_breadcrumbs(request)[:-1],
        has_groups=selectors.report_groups_for(user).exists(),
        standard=standard,
        custom_description=catalogue.STANDARD[Kind.CUSTOM].description,
        page=page,
        jobs=list(selectors.report_jobs_for(user)[:RECENT_JOBS]),
    )
    return render(request, "employers/reports/report_list.html", context)


def _form_for(request, kind, *, data=None, initial=None):
    """The definition form for `kind` over the groups the user may report on with it, or None
    if there are none."""
    groups = list(
        selectors.report_groups_for(request.user, kind)
        .select_related("parent__employer")
        .order_by("number")
    )
    if not groups:
        return None
    plans = Plan.objects.filter(groups__in=[g.pk for g in groups]).distinct().order_by("name")
    return ReportDefinitionForm(data, kind=kind, groups=groups, plans=plans, initial=initial)


def _run(request, definition):
    """Run a definition and go to its job's page (progress, then the download)."""
    try:
        job = services.report_definition_run(definition=definition)
    except PermissionDenied:
        messages.error(
            request,
            "The report was not run: you may no longer report on all of its groups. "
            "Edit it to choose the groups you may report on.",
        )
        return redirect(_url(request, "report-definition-detail", definition.pk))
    except ValueError:
        # Settings that have aged out, such as chosen dates now more than two years back.
        messages.error(request, "The report was not run: edit it, its settings need a change.")
        return redirect(_url(request, "report-definition-detail", definition.pk))
    return redirect("jobs:job-detail", pk=job.pk)


@require_http_methods(["GET", "POST"])
@employer_or_broker
def report_definition_create(request):
    """Set up a report: ?kind= one of the standard reports, or (the default) a custom one."""
    kind = request.GET.get("kind") or request.POST.get("kind") or Kind.CUSTOM
    if kind not in Kind.values:
        raise Http404("No such report.")
    form = _form_for(request, kind, data=request.POST or None, initial={"name": Kind(kind).label})
    if form is not None and form.is_valid():
        definition = services.report_definition_create(
            owner=request.user,
            employer=Employer.objects.get(pk=form.cleaned_data["employer_id"]),
            fields=form.definition_fields(),
        )
        if request.POST.get("action") == "run":
            return _run(request, definition)
        messages.success(request, f"The report “{definition.name}” was saved.")
        return redirect(_url(request, "report-definition-detail", definition.pk))
    context = _context(
        request,
        title=f"Set up a report: {Kind(kind).label}",
        breadcrumbs=_breadcrumbs(request),
        kind=kind,
        description=catalogue.STANDARD[kind].description,
        form=form,
    )
    return render(request, "employers/reports/report_definition_form.html", context)


@require_GET
@employer_or_broker
def report_definition_detail(request, pk):
    definition = selectors.get_report_definition_for(request.user, pk)
    context = _context(
        request,
        title=definition.name,
        breadcrumbs=_breadcrumbs(request),
        definition=definition,
        settings=_settings_text(definition),
        jobs=list(selectors.report_jobs_for(request.user, definition)[:RECENT_JOBS]),
    )
    return render(request, "employers/reports/report_definition_detail.html", context)


@require_http_methods(["GET", "POST"])
@employer_or_broker
def report_definition_edit(request, pk):
    definition = selectors.get_report_definition_for(request.user, pk)
    form = _form_for(
        request, definition.kind, data=request.POST or None, initial=initial_of(definition)
    )
    if form is None:
        raise Http404("No such report.")
    if form.is_valid():
        if form.cleaned_data["employer_id"] != definition.employer_id:
            form.add_error(None, "A report stays about the employer it was set up for.")
        else:
            services.report_definition_update(
                definition=definition, fields=form.definition_fields(), by=request.user
            )
            if request.POST.get("action") == "run":
                return _run(request, definition)
            messages.success(request, f"The report “{definition.name}” was changed.")
            return redirect(_url(request, "report-definition-detail", definition.pk))
    context = _context(
        request,
        title=f"Edit {definition.name}",
        breadcrumbs=_breadcrumbs(
            request, (definition.name, _url(request, "report-definition-detail", definition.pk))
        ),
        kind=definition.kind,
        description=catalogue.STANDARD[definition.kind].description,
        form=form,
        definition=definition,
    )
    return render(request, "employers/reports/report_definition_form.html", context)


@require_POST
@employer_or_broker
def report_definition_run(request, pk):
    return _run(request, selectors.get_report_definition_for(request.user, pk))


@require_POST
@employer_or_broker
def report_definition_delete(request, pk):
    definition = selectors.get_report_definition_for(request.user, pk)
    name = definition.name
    services.report_definition_delete(definition=definition, by=request.user)
    messages.success(
        request, f"The report “{name}” was deleted. Files it made stay until they expire."
    )
    return redirect(_url(request, "report-list"))


def _settings_text(definition):
    """The definition's settings as (label, value) lines for its page."""
    filters = definition.filters or {}
    lines = [("Report", definition.get_kind_display()), ("Format", definition.get_format_display())]
    named = list(
        Group.objects.filter(pk__in=filters.get("groups") or [])
        .order_by("number")
        .values_list("number", flat=True)
    )
    lines.append(("Groups", ", ".join(named) if named else "Every group you may report on"))
    statuses = dict(catalogue.MEMBER_STATUSES)
    if filters.get("statuses"):
        lines.append(("Member status", ", ".join(statuses[s] for s in filters["statuses"])))
    if filters.get("plans"):
        plans = Plan.objects.filter(pk__in=filters["plans"]).order_by("name")
        lines.append(("Plans", ", ".join(str(plan) for plan in plans)))
    if filters.get("date_field"):
        lines.append(("Filter by date", dict(catalogue.DATE_FIELDS)[filters["date_field"]]))
    if filters.get("period"):
        lines.append(
            (
                "Period",
                catalogue.period_label(filters["period"], filters.get("start"), filters.get("end")),
            )
        )
    if filters.get("within_days"):
        lines.append(("Within the next", dict(catalogue.WITHIN_DAYS)[filters["within_days"]]))
    if definition.columns:
        labels = [catalogue.CUSTOM_COLUMNS[key].label for key in definition.columns]
        lines.append(("Columns", ", ".join(labels)))
    if definition.sort:
        column = catalogue.CUSTOM_COLUMNS[definition.sort.removeprefix("-")].label
        order = "largest or latest first" if definition.sort.startswith("-") else "smallest first"
        lines.append(("Sort by", f"{column}, {order}"))
    lines.append(("When", services.schedule_text(definition)))
    lines.append(("Email when ready", "Yes" if definition.notify else "No"))
    return lines
