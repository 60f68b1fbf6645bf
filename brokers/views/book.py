"""Book of Business: the groups (suffixes) of the office's book under their parent groups.

Filter, sort and page live in the URL, so a search can be bookmarked and Back restores it.

Paging is keyset paging: a page starts after (or ends before) the sort key + pk of a row, and
that cursor travels in the URL. At the benchmark's scale (a 5,000-group book among a million
members) OFFSET grows with depth and Django's Paginator counts the whole result on every page
(DESIGN.md, Performance notes); a keyset page costs the same first, middle or last. What it
gives up is "page 37 of 200": the list says how many groups match up to COUNT_CAP, and offers
First, Previous, Next and Last.

"Viewing dashboard for" does not narrow the list: groups are the broker's groups of record,
whichever Broker ID the commissions are paid under, so the book is the whole office's book.
"""

import datetime
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from brokers import alerts, selectors
from brokers.access import Tool, broker_portal, tool_required
from brokers.forms.book import BookFilterForm
from enrollment.models import Group, Plan

TEMPLATE = "brokers/book/group_list.html"
DEFAULT_SORT = "number"
# Counting stops here: past it the list says "more than 1,000", which is all a person needs
# and keeps the count's cost flat whatever the size of the book.
COUNT_CAP = 1000
CURSOR_SALT = "brokers.book.cursor"
# The list's columns: heading and sort key (None: not sortable, links and icons only).
COLUMNS = [
    ("Group Name", "name"),
    ("Parent Group ID / Group Suffix ID", "number"),
    ("Status", "status"),
    ("Orig Enroll Date", "original"),
    ("Renew Date", "renewal"),
    ("Plan Type / Plan Name", "plan"),
    ("Subscribers", None),
    ("Alerts", None),
]


class BadCursor(Exception):
    pass


@dataclass
class KeysetPage:
    rows: list
    has_previous: bool
    has_next: bool
    previous_cursor: str = ""
    next_cursor: str = ""


@dataclass
class ParentRun:
    """A parent group and the consecutive rows of its suffixes on the page."""

    parent: object
    rows: list = field(default_factory=list)

    @property
    def can_roster(self):
        return any(row.can_roster for row in self.rows)

    @property
    def row_ids(self):
        return " ".join(f"book-group-{row.pk}" for row in self.rows)


@require_GET
@broker_portal
@tool_required(Tool.BOOK_OF_BUSINESS)
def group_list(request):
    today = timezone.localdate()
    form = BookFilterForm(request.GET)
    filters = form.filters()
    per_page = form.page_size()
    notices = []
    sort = request.GET.get("sort") or DEFAULT_SORT
    if sort.removeprefix("-") not in selectors.BOOK_SORTS:
        notices.append("That sort order is not one this list offers; sorted by group ID instead.")
        sort = DEFAULT_SORT

    groups = selectors.book_groups_for(request.user, today=today, filters=filters)
    try:
        page = keyset_page(groups, sort=sort, per_page=per_page, params=request.GET)
    except BadCursor:
        notices.append("That page link is no longer valid; showing the first page.")
        page = keyset_page(groups, sort=sort, per_page=per_page, params={})
    _decorate(request.user, page.rows, today)
    matched = groups.values("pk").order_by()[: COUNT_CAP + 1].count()

    context = {
        "title": "Book of Business",
        "form": form,
        "page": page,
        "runs": _parent_runs(page.rows),
        "matched": min(matched, COUNT_CAP),
        "more_than_cap": matched > COUNT_CAP,
        "sort": sort,
        "per_page": per_page,
        "columns": [_column(label, key, sort) for label, key in COLUMNS],
        "sorted_by": next((c for c in COLUMNS if c[1] == sort.removeprefix("-")), COLUMNS[1])[0],
        "searched": any(filters.values()),
        "notices": notices,
    }
    # The filter form, the sort links and the paging links swap just the results under htmx;
    # a history restore (Back after the cache is gone) asks for the whole page.
    template = TEMPLATE
    if request.htmx and request.htmx.target == "book" and not request.htmx.history_restore_request:
        template += "#book"
    return render(request, template, context)


@require_GET
@broker_portal
@tool_required(Tool.BOOK_OF_BUSINESS)
def alert_legend(request):
    return render(
        request,
        "brokers/book/alert_legend.html",
        {
            "title": "What do these alert icons mean?",
            "breadcrumbs": [("Book of Business", reverse("brokers:group-list"))],
            "alerts": alerts.ALERTS,
        },
    )


def keyset_page(queryset, *, sort, per_page, params):
    """One page of `queryset` in `sort` order, from the cursor in `params`.

    `after` starts the page after a row, `before` ends it before one, `page=last` is the end;
    otherwise the first page. One query per page (a second only if a cursor's rows are gone).
    """
    fields = selectors.BOOK_SORTS[sort.removeprefix("-")]
    descending = sort.startswith("-")
    forward = _order(fields, descending)
    backward = _order(fields, not descending)

    if params.get("after"):
        values = _decode(params["after"], sort)
        rows = list(
            queryset.filter(_beyond(fields, values, descending)).order_by(*forward)[: per_page + 1]
        )
        if not rows:
            raise BadCursor
        page = KeysetPage(rows[:per_page], has_previous=True, has_next=len(rows) > per_page)
    elif params.get("before"):
        values = _decode(params["before"], sort)
        rows = list(
            queryset.filter(_beyond(fields, values, not descending)).order_by(*backward)[
                : per_page + 1
            ]
        )
        if len(rows) <= per_page:
            # Fewer rows than a page before the cursor: that is the first page, shown whole.
            return keyset_page(queryset, sort=sort, per_page=per_page, params={})
        page = KeysetPage(rows[:per_page][::-1], has_previous=True, has_next=True)
    elif params.get("page") == "last":
        rows = list(queryset.order_by(*backward)[: per_page + 1])
        page = KeysetPage(rows[:per_page][::-1], has_previous=len(rows) > per_page, has_next=False)
    else:
        rows = list(queryset.order_by(*forward)[: per_page + 1])
        page = KeysetPage(rows[:per_page], has_previous=False, has_next=len(rows) > per_page)

    if page.rows:
        page.previous_cursor = _encode(page.rows[0], fields, sort) if page.has_previous else ""
        page.next_cursor = _encode(page.rows[-1], fields, sort) if page.has_next else ""
    return page


def _order(fields, descending):
    return [f"-{name}" if descending else name for name in fields]


def _beyond(fields, values, descending):
    """Rows after `values` in the (fields) order: a lexicographic comparison, spelled out."""
    lookup = "lt" if descending else "gt"
    condition = Q()
    for i, name in enumerate(fields):
        equal = {fields[j]: values[j] for j in range(i)}
        condition |= Q(**equal, **{f"{name}__{lookup}": values[i]})
    return condition


def _value(row, name):
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value


def _encode(row, fields, sort):
    values = []
    for name in fields:
        value = _value(row, name)
        values.append(["d", value.isoformat()] if isinstance(value, datetime.date) else value)
    return signing.dumps({"s": sort, "v": values}, salt=CURSOR_SALT, compress=True)


def _decode(token, sort):
    """The sort-key values in a cursor; BadCursor for one tampered with, or of another order."""
    try:
        data = signing.loads(token, salt=CURSOR_SALT)
        if data["s"] != sort or len(data["v"]) != len(selectors.BOOK_SORTS[sort.removeprefix("-")]):
            raise BadCursor
        return [
            datetime.date.fromisoformat(v[1]) if isinstance(v, list) and v[0] == "d" else v
            for v in data["v"]
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError) as error:
        raise BadCursor from error


def _decorate(user, rows, today):
    """The page's plans (one query), alerts and roster permission (one query), for its rows only."""
    prefetch_related_objects(
        rows, Prefetch("plans", queryset=Plan.objects.order_by("plan_type", "name"))
    )
    flags = selectors.book_page_flags_for(user, [row.pk for row in rows], today=today)
    for row in rows:
        past_due, turning_65, can_roster = flags.get(row.pk, (False, False, False))
        row.can_roster = can_roster
        row.alerts = alerts.alerts_of(row, past_due=past_due, turning_65=turning_65, today=today)
        row.next_renewal = (
            None
            if row.status == Group.Status.CANCELLED
            else alerts.next_renewal_date(row.renewal_month, today)
        )
        plans = list(row.plans.all())
        row.first_plan, row.more_plans = (plans[0], plans[1:]) if plans else (None, [])


def _parent_runs(rows):
    runs = []
    for row in rows:
        if not runs or runs[-1].parent.pk != row.parent_id:
            runs.append(ParentRun(parent=row.parent))
        runs[-1].rows.append(row)
    return runs


def _column(label, key, sort):
    if key is None:
        return {"label": label, "sort": None, "aria_sort": ""}
    ascending = sort == key
    descending = sort == f"-{key}"
    return {
        "label": label,
        "sort": f"-{key}" if ascending else key,
        "aria_sort": "ascending" if ascending else "descending" if descending else "",
    }
