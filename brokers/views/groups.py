"""Group details and subscribers: one suffix of the book, its roster, one subscriber.

Group details need `view_group`; the subscriber pages need `view_roster`, which an upline office
holds only when the broker allowed rosters. Billing figures show only where the employer
granted the broker's office billing view. Every page that shows subscribers writes an audit
row per subscriber shown.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from brokers import alerts, selectors
from brokers.access import Tool, broker_portal, tool_required
from enrollment.models import Member
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.jobs.registry import XLSX
from portal.jobs.writers import write_xlsx
from portal.lists import chosen_sort, list_template, sortable_columns

SUBSCRIBERS_PER_PAGE = 25
# The subscriber list's columns: heading, sort key (see selectors.SUBSCRIBER_SORTS).
COLUMNS = [
    ("Subscriber Name", "name"),
    ("Subscriber ID", "id"),
    ("Plan Type & Name", "plan"),
    ("Status", "status"),
]
# The employer's grant that lets a broker see a group's bill (employers.access.BILLING_FUNCTIONS).
BILLING_VIEW_PERMS = ("enrollment.view_balance", "enrollment.view_invoice")
NO_BILLING_ACCESS = (
    "Billing details are shown only when the employer lets your office see them. To see them, "
    "ask the employer's administrator to grant you billing access in their employer portal."
)
book_of_business = tool_required(Tool.BOOK_OF_BUSINESS)


@dataclass
class Section:
    """One block of the group details page, and one part of its Excel download."""

    anchor: str
    title: str
    rows: list = field(default_factory=list)
    note: str = ""


def _date(value):
    return date_format(value, "m/d/Y") if value else "—"


def _money(value):
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _can_view_billing(user, group):
    return any(user.has_perm(perm, group) for perm in BILLING_VIEW_PERMS)


def group_sections(group, *, counts, billing):
    """The group details, section by section; `billing` is (invoice, payment), or None when the
    user may not see them."""
    address = ", ".join(
        part
        for part in (
            group.admin_street,
            group.admin_city,
            f"{group.admin_state} {group.admin_zip}".strip(),
        )
        if part
    )
    billing_address = (
        f"{group.billing_street}, {group.billing_city}, {group.billing_state} {group.billing_zip}"
    )
    contact = Section(
        "contact",
        "Contact Information",
        [
            ("Parent Group Name", group.parent.name),
            ("Suffix Name", group.name),
            ("Group Number", group.number),
            ("Group Admin", group.admin_name),
            ("Group Admin Address", address or "—"),
            ("Group Phone Number", group.admin_phone or "—"),
            ("Group State", group.state),
        ],
    )
    status = Section(
        "status",
        "Group Status & Key Dates",
        [
            ("Group Status", group.get_status_display()),
            ("Active Subscribers", f"{counts['active_subscribers']:,}"),
            ("Active Members", f"{counts['active_members']:,}"),
            ("Cancelled Subscribers", f"{counts['cancelled_subscribers']:,}"),
            ("Group SIC Code", group.sic_code),
            ("Rating Type", group.get_rating_type_display()),
            ("Original Effective Date", _date(group.original_effective_date)),
            ("Parent Group Effective Date", _date(group.parent.effective_date)),
            ("Suffix Effective Date", _date(group.suffix_effective_date)),
            ("Cancellation Date", _date(group.cancellation_date)),
        ],
    )
    money = Section("billing", "Billing & Payment")
    premium = "Shown with billing access"
    if billing is None:
        money.note = NO_BILLING_ACCESS
    else:
        invoice, payment = billing
        if invoice is None:
            money.note = "No bill has been issued for this group yet."
        else:
            premium = _money(invoice.current_amount)
            money.rows = [
                ("Balance Forward (Prior Balance)", _money(invoice.balance_forward)),
                ("Current Period Amount Due", _money(invoice.current_amount)),
                ("Adjustments", _money(invoice.adjustments)),
                ("Payments", _money(invoice.payments)),
                ("Balance Due", _money(invoice.balance_due)),
                ("Due Date of Current Bill", _date(invoice.due_date)),
            ]
        money.rows += [
            ("Last Payment Made", _date(payment.received_on) if payment else "None"),
            ("Last Payment Amount", _money(payment.amount) if payment else "—"),
        ]
    renewal = Section(
        "renewal",
        "Renewal & Enrollment",
        [
            ("Current Amount (Premium)", premium),
            ("Renewal Month", date_format(datetime.date(2000, group.renewal_month, 1), "F")),
            ("Group Last Renewal Date", _date(group.last_renewal_date)),
            ("Group Billing Address", billing_address),
            ("Billing Contact Phone Number", group.billing_contact_phone or "—"),
            ("Waiting Period", group.get_waiting_period_display()),
        ],
    )
    return [contact, status, money, renewal]


def _details_context(request, pk):
    group = selectors.get_group_for(request.user, pk)
    can_view_billing = _can_view_billing(request.user, group)
    billing = selectors.group_billing(group) if can_view_billing else None
    sections = group_sections(group, counts=selectors.group_member_counts(group), billing=billing)
    return group, sections


def _book_crumb():
    return ("Book of Business", reverse("brokers:group-list"))


def _group_crumb(group):
    return ("Group Details", reverse("brokers:group-detail", args=[group.pk]))


@require_GET
@broker_portal
@book_of_business
def group_detail(request, pk):
    group, sections = _details_context(request, pk)
    return render(
        request,
        "brokers/groups/group_detail.html",
        {
            "title": "Group Details",
            "breadcrumbs": [_book_crumb()],
            "group": group,
            "sections": sections,
            "can_view_roster": request.user.has_perm("enrollment.view_roster", group),
        },
    )


@require_GET
@broker_portal
@book_of_business
def group_detail_xlsx(request, pk):
    """The group details as a small spreadsheet, made in the request: a dozen rows of the
    group's own figures take milliseconds, so there is nothing to queue."""
    group, sections = _details_context(request, pk)
    rows = []
    for section in sections:
        rows += [(section.title, label, value) for label, value in section.rows]
        if section.note:
            rows.append((section.title, "Note", section.note))
    out = io.BytesIO()
    write_xlsx(
        out,
        sheet_title=f"Group {group.number}",
        headers=["Section", "Field", "Value"],
        rows=rows,
        widths=[26, 32, 60],
    )
    audit_record(request=request, action=AuditEvent.Action.EXPORT, objects=[group])
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    filename = f"group-details-{group.number}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _turning_65(today):
    """SQL: the subscriber or one of their dependents turns 65 soon (the Book's "65" alert)."""
    after, until = alerts.turning_65_dob_range(today)
    family = Member.objects.filter(
        Q(pk=OuterRef("pk")) | Q(subscriber_id=OuterRef("pk")), dob__gt=after, dob__lte=until
    ).exclude(status=Member.Status.CANCELLED)
    return Exists(family)


@require_GET
@broker_portal
@book_of_business
def subscriber_list(request, pk):
    group = selectors.get_group_for(request.user, pk, "view_roster")
    q = request.GET.get("q", "").strip()[:60]
    sort = chosen_sort(request, selectors.SUBSCRIBER_SORTS, "name")
    subscribers = selectors.subscribers_for(request.user, group, q=q, sort=sort)
    # Page over the ids alone, then load that page's rows: the OFFSET then reads only the index
    # (member_subscribers_by_name_idx), so the last page of a 14,000-subscriber group costs
    # what the first does.
    page = Paginator(subscribers.values_list("pk", flat=True), SUBSCRIBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = subscribers.filter(pk__in=list(page.object_list)).annotate(
        turning_65=_turning_65(timezone.localdate())
    )
    by_pk = {subscriber.pk: subscriber for subscriber in rows}
    page.object_list = [by_pk[pk] for pk in page.object_list]
    audit_record(
        request=request,
        action=AuditEvent.Action.SEARCH if q else AuditEvent.Action.VIEW,
        objects=page.object_list,
        object_type="" if page.object_list else "enrollment.Member",
    )
    context = {
        "title": "Subscribers",
        "breadcrumbs": [_book_crumb(), _group_crumb(group)],
        "group": group,
        "page": page,
        "q": q,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "turning_65": alerts.TURNING_65,
    }
    template = list_template(request, "brokers/groups/subscriber_list.html", "subscriber-results")
    return render(request, template, context)


@require_GET
@broker_portal
@book_of_business
def subscriber_detail(request, pk):
    subscriber = selectors.get_subscriber_for(request.user, pk)
    dependents = list(selectors.dependents_of(subscriber))
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[subscriber, *dependents])
    group = subscriber.group
    return render(
        request,
        "brokers/groups/subscriber_detail.html",
        {
            "title": "Subscriber Details",
            "breadcrumbs": [
                _book_crumb(),
                _group_crumb(group),
                ("Subscribers", reverse("brokers:subscriber-list", args=[group.pk])),
            ],
            "group": group,
            "subscriber": subscriber,
            "dependents": dependents,
        },
    )
