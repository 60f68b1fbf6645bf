"""Commission Statements: a Broker ID's monthly statements and their PDF and XLS files.

The page shows the statements of the Broker ID chosen in "Viewing dashboard for", one month by
default (the latest), searchable over the 18 months the carrier keeps. A file is drawn by a
Celery task the first time someone asks for it and stored; later requests get the stored file
until the statement's lines change (see commissions.services). While it is being drawn the
link answers with a page that checks back every few seconds and then offers the download.
"""

from itertools import groupby

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brokers import access, charts
from brokers.access import Tool, broker_portal, tool_required
from brokers.forms.commissions import StatementSearchForm, month_value
from commissions import selectors, services, tasks
from commissions.models import StatementDocument, payments_document_name
from portal import downloads
from portal.downloads import audited_download

PAYMENTS_LABEL = "IFP / Group Checks & EFTs"
# How long the waiting page trusts that the task it queued is on its way.
QUEUE_ONCE_SECONDS = 120


@require_GET
@broker_portal
@tool_required(Tool.COMMISSION_STATEMENTS)
def statement_list(request):
    code = access.acting_broker_code(request)
    today = timezone.localdate()
    context = {"title": "Commission Statements", "broker_code": code, "months": []}
    if code is None:
        return render(request, "brokers/commissions/statement_list.html", context)
    latest = selectors.latest_period_for(code.code, today=today)
    form = StatementSearchForm(
        request.GET if "start" in request.GET else None,
        months=selectors.window_months(today),
        categories=selectors.categories_for(code.code, today=today),
        initial={"start": month_value(latest), "end": month_value(latest)} if latest else {},
    )
    if form.is_bound:
        search = form.cleaned_data if form.is_valid() else None
    else:
        search = {"report_type": "", "category": None, "state": None}
        search["start"] = search["end"] = latest
    if search and latest:
        context["months"] = _months(code.code, search, today)
    totals = selectors.monthly_totals_for(code.code, today=today)
    months = selectors.window_months(today)[::-1]
    context.update(
        form=form,
        search=search,
        has_statements=latest is not None,
        chart=charts.monthly_bar_chart(
            [(month, float(totals.get(month, 0))) for month in months],
            value_text=lambda value: f"${value:,.2f}",
            show_values=False,
        ),
        paid_in_window=sum(totals.values()),
    )
    return render(request, "brokers/commissions/statement_list.html", context)


def _months(broker_code, search, today):
    """[(month, [(heading, document name)])] newest first, as the search asks."""
    report_type = search["report_type"]
    statements = selectors.statements_for(
        broker_code,
        today=today,
        start=search["start"],
        end=search["end"],
        category=report_type if report_type in ("group", "ifp") else search["category"],
        state=search["state"],
    )
    if report_type in ("group", "ifp") and search["category"] not in (None, report_type):
        statements = statements.none()
    months = []
    for period, of_month in groupby(statements, key=lambda s: s.period):
        of_month = list(of_month)
        documents = []
        if report_type in ("", "payments"):
            for statement_date in sorted({s.statement_date for s in of_month}):
                documents.append((PAYMENTS_LABEL, payments_document_name(statement_date)))
        if report_type != "payments":
            documents += [(s.category_label, s.document_name) for s in of_month]
        months.append((period, documents))
    return months


@require_GET
@broker_portal
@tool_required(Tool.COMMISSION_STATEMENTS)
def statement_document(request, broker_code, name, format):
    """The file if it is drawn and current; otherwise queue it and say it is on its way."""
    if broker_code not in {code.code for code in access.broker_codes_for(request.user)}:
        raise Http404("Not one of your Broker IDs.")
    try:
        source = services.document_source(broker_code, name, today=timezone.localdate())
    except services.DocumentNotFound:
        raise Http404("No such statement in the last 18 months.") from None
    document, digest = services.stored_document(source, format)
    if document is None:
        # A click queues the drawing; the page's polls queue it again only if it has been a
        # while (its message lost with a worker), not every two seconds.
        queued_key = f"commissions:queued:{broker_code}:{name}:{format}:{digest}"
        if not request.htmx:
            cache.set(queued_key, 1, QUEUE_ONCE_SECONDS)
        if not request.htmx or cache.add(queued_key, 1, QUEUE_ONCE_SECONDS):
            tasks.statement_document_generate.delay(broker_code, name, format)
        # In-process tasks (the demo) have drawn it already.
        document, _ = services.stored_document(source, format)
    context = {
        "title": f"{name} ({StatementDocument.Format(format).label})",
        "name": name,
        "format_label": StatementDocument.Format(format).label,
        "document": document,
        "url": request.path,
    }
    if request.htmx:
        return render(request, "brokers/commissions/statement_document.html#status", context)
    if document is None:
        return render(request, "brokers/commissions/statement_document.html", context, status=202)
    return audited_download(
        request,
        document.file,
        filename=f"{name}.{format}",
        audited=source.statements,
        cache=downloads.NO_STORE,
    )
