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
import functools
import hashlib
import html
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from brokers import alerts, selectors
from brokers.access import Tool, broker_portal, tool_required
from brokers.forms.book import BookFilterForm
from enrollment.models import Group
from portal.lists import sortable_columns

TEMPLATE = "brokers/book/group_list.html"
DEFAULT_SORT = "number"
# Counting stops here: past it the list says "more than 1,000", which is all a person needs
# and keeps the count's cost flat whatever the size of the book.
COUNT_CAP = 1000
COUNT_CACHE_SECONDS = 60
DATE_FORMAT = "%m/%d/%Y"
CURSOR_SALT = "brokers.book.cursor"
# Rows link to their group by pk; reversing two URLs per row was a tenth of the page's time.
PK_PLACEHOLDER = "2147483647"


@functools.cache
def _url(name, *args):
    return reverse(name, args=args)


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

    scope = selectors.book_scope_for(request.user)
    groups = selectors.book_groups_for(scope, today=today, filters=filters, sort=sort)
    page_rows = selectors.book_page_rows(groups, scope, today=today)
    try:
        page = keyset_page(page_rows, sort=sort, per_page=per_page, params=request.GET)
    except BadCursor:
        notices.append("That page link is no longer valid; showing the first page.")
        page = keyset_page(page_rows, sort=sort, per_page=per_page, params={})
    rows = _rows(page.rows, today)
    runs = _parent_runs(rows)
    csrf_token = get_token(request)  # each call masks the token afresh: once is enough
    for run in runs:
        run.html = _run_html(run, csrf_token=csrf_token)
    matched = _matching_count(request.user, groups, request.GET)
    columns = sortable_columns(COLUMNS, sort)
    for column in columns:
        if column["sort"]:
            column["href"] = _query(request.GET, sort=column["sort"], **PAGE_CLEARED)

    context = {
        "title": "Book of Business",
        "form": form,
        "filter_fields": _filter_fields(form),
        "page": page,
        "rows": rows,
        "runs": runs,
        "matched": min(matched, COUNT_CAP),
        "more_than_cap": matched > COUNT_CAP,
        "sort": sort,
        "per_page": per_page,
        "columns": columns,
        "first_href": _query(request.GET, **PAGE_CLEARED),
        "previous_href": page.has_previous
        and _query(request.GET, **{**PAGE_CLEARED, "before": page.previous_cursor}),
        "next_href": page.has_next
        and _query(request.GET, **{**PAGE_CLEARED, "after": page.next_cursor}),
        "last_href": _query(request.GET, **{**PAGE_CLEARED, "page": "last"}),
        "sorted_by": next((c for c in COLUMNS if c[1] == sort.removeprefix("-")), COLUMNS[1])[0],
        "searched": any(filters.values()),
        "notices": notices,
    }
    # The filter form, the sort links and the paging links swap just the results under htmx;
    # a history restore (Back after the cache is gone) asks for the whole page.
    template = TEMPLATE
    if request.htmx and request.htmx.target == "book" and not request.htmx.history_restore_request:
        template += "#book"
    response = render(request, template, context)
    # The same URL answers a fragment to htmx and a page to the browser: a browser that goes
    # Back must not be handed the fragment from its cache.
    patch_vary_headers(response, ["HX-Request"])
    return response


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


# The sort and paging links keep the filter and drop the page's position.
PAGE_CLEARED = {"after": None, "before": None, "page": None}


def _query(params, **changes):
    """What {% querystring %} gives for `params` (request.GET) with `changes` (None removes a
    key), the same keys in the same order: the tag copied the whole QueryDict for each of the
    page's ten sort and paging links, a fifth of a millisecond a page."""
    pairs = []
    for key, values in params.lists():
        if key not in changes:
            pairs += [(key, value) for value in values]
        elif changes[key] is not None:
            pairs.append((key, changes[key]))
    present = set(params)
    pairs += [(k, v) for k, v in changes.items() if v is not None and k not in present]
    if not pairs and not params:
        return ""
    return "?" + urlencode(pairs)


def keyset_page(rows, *, sort, per_page, params):
    """One page of `rows` (selectors.book_page_rows) in `sort` order, from the cursor in `params`.

    `after` starts the page after a row, `before` ends it before one, `page=last` is the end;
    otherwise the first page. One query a page; the cursors are the first and last rows' sort
    keys, pk last.
    """
    fields = selectors.BOOK_SORTS[sort.removeprefix("-")]
    descending = sort.startswith("-")
    forward = rows.order_by(*_order(fields, descending))
    backward = rows.order_by(*_order(fields, not descending))

    if params.get("after"):
        values = _decode(params["after"], sort)
        found = list(forward.filter(_beyond(fields, values, descending))[: per_page + 1])
        if not found:
            raise BadCursor
        page = KeysetPage(found[:per_page], has_previous=True, has_next=len(found) > per_page)
    elif params.get("before"):
        values = _decode(params["before"], sort)
        found = list(backward.filter(_beyond(fields, values, not descending))[: per_page + 1])
        if len(found) <= per_page:
            # Fewer rows than a page before the cursor: that is the first page, shown whole.
            return keyset_page(rows, sort=sort, per_page=per_page, params={})
        page = KeysetPage(found[:per_page][::-1], has_previous=True, has_next=True)
    elif params.get("page") == "last":
        found = list(backward[: per_page + 1])
        page = KeysetPage(
            found[:per_page][::-1], has_previous=len(found) > per_page, has_next=False
        )
    else:
        found = list(forward[: per_page + 1])
        page = KeysetPage(found[:per_page], has_previous=False, has_next=len(found) > per_page)

    if page.rows:
        first, last = page.rows[0], page.rows[-1]
        page.previous_cursor = _encode(_key(first, fields), sort) if page.has_previous else ""
        page.next_cursor = _encode(_key(last, fields), sort) if page.has_next else ""
    return page


def _key(row, fields):
    return [row[name] for name in fields]


def _order(fields, descending):
    return [f"-{name}" if descending else name for name in fields]


def _beyond(fields, values, descending):
    """Rows after `values` in the (fields) order: a lexicographic comparison, spelled out.

    The OR of the comparison is no index range, so PostgreSQL walked the sort's index from its
    start and filtered out every row before the cursor (6,000 rows, 2.7 ms, on the middle page
    of a 5,000-group book). The first field's bound, implied by the OR, gives it where to start.
    """
    lookup = "lt" if descending else "gt"
    condition = Q()
    for i, name in enumerate(fields):
        equal = {fields[j]: values[j] for j in range(i)}
        condition |= Q(**equal, **{f"{name}__{lookup}": values[i]})
    return Q(**{f"{fields[0]}__{lookup}e": values[0]}) & condition


def _encode(key, sort):
    values = [["d", v.isoformat()] if isinstance(v, datetime.date) else v for v in key]
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


def _matching_count(user, groups, params):
    """How many groups match, up to COUNT_CAP + 1: capped, and cached for a minute per search.

    The count is all the list says of its size, so a minute's staleness costs nothing, and
    paging through one search counts once rather than on every page.
    """
    search = sorted(
        (k, v) for k, v in params.items() if k not in ("after", "before", "page", "sort")
    )
    key = (
        "brokers.book.count:"
        + hashlib.sha256(repr((user.pk, str(timezone.localdate()), search)).encode()).hexdigest()
    )
    count = cache.get(key)
    if count is None:
        count = groups.values("pk").order_by()[: COUNT_CAP + 1].count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def _rows(page_rows, today):
    """The page's groups, with what their cells show worked out here, not in the template.

    Formatting in Python halves the page's rendering time, most of what it costs.
    """
    rows = [selectors.book_row(values) for values in page_rows]
    statuses = dict(Group.Status.choices)
    for row in rows:
        row.alerts = alerts.alerts_of(
            row, past_due=row.past_due, turning_65=row.turning_65, today=today
        )
        row.status_display = statuses.get(row.status, row.status)
        row.original_display = row.original_effective_date.strftime(DATE_FORMAT)
        row.renewal_display = (
            "—"
            if row.status == Group.Status.CANCELLED
            else alerts.next_renewal_date(row.renewal_month, today).strftime(DATE_FORMAT)
        )
        plans = [f"{plan_type} / {name}" for plan_type, name in row.plan_names]
        row.plan_display, row.more_plans = (plans[0], plans[1:]) if plans else ("—", [])
        row.detail_url = _url("brokers:group-detail", PK_PLACEHOLDER).replace(
            PK_PLACEHOLDER, str(row.pk)
        )
        row.subscribers_url = _url("brokers:subscriber-list", PK_PLACEHOLDER).replace(
            PK_PLACEHOLDER, str(row.pk)
        )
    return rows


def _parent_runs(rows):
    runs = []
    for row in rows:
        if not runs or runs[-1].parent.pk != row.parent_id:
            runs.append(ParentRun(parent=row.parent))
        runs[-1].rows.append(row)
    return runs


# The table's rows are written here, not in the template: their ~400 template variables a
# page were the largest part of the page's time (bench/book.py). Every value goes through
# _escape, Django's escaping without its lazy-string checks: format_html's ~900 calls of those
# a page cost more than the rest of the rows together. The fragments put together from
# escaped values are the only unescaped arguments.
PARENT_ROW = (
    '<tr class="book__parent"><th scope="row"><button type="button" class="link-button '
    'book__toggle" aria-expanded="true" aria-controls="{}">{}</button></th><td>{}</td><td></td>'
    "<td>{}</td><td></td><td></td><td>{}</td><td></td></tr>"
)
SUFFIX_ROW = (
    '<tr id="book-group-{}" class="book__suffix"><td><a href="{}">{}</a></td><td>{} / {}</td>'
    '<td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td class="actions">{}</td>'
    '<td class="book__alerts">{}</td></tr>'
)
MORE_PLANS = ' <details class="book__plans"><summary>+{} more</summary><ul>{}</ul></details>'
EXPORT = (
    '<form method="post" action="{}" class="book__export"><input type="hidden" '
    'name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="kind" value="{}">'
    '<input type="hidden" name="{}" value="{}"><button type="submit" class="link-button">'
    'Get XLS<span class="visually-hidden"> of {}</span></button></form>'
)
VIEW_LIST = '<a href="{}">View List<span class="visually-hidden"> of {}</span></a> '
# The alerts' icons never change: written once.
ALERT_ICONS = {
    alert.key: format_html(
        '<span class="alert-icon alert-icon--{}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        alert.key,
        alert.label,
        alert.symbol,
        alert.label,
    )
    for alert in alerts.ALERTS
}


def _escape(value):
    """HTML-escaped text of `value`, as django.utils.html.escape gives it."""
    return html.escape(str(value))


def _run_html(run, *, csrf_token):
    """A parent group's <tbody>: the parent's row (Get XLS of all its suffixes), then theirs."""
    job_create = _escape(_url("jobs:job-create"))
    token = _escape(csrf_token)
    parent = run.parent
    parent_number = _escape(parent.number)
    parent_export = (
        EXPORT.format(
            job_create,
            token,
            "parent_roster_xlsx",
            "parent",
            _escape(parent.pk),
            _escape(f"every suffix of {parent.number}"),
        )
        if run.can_roster
        else ""
    )
    rows = [
        PARENT_ROW.format(
            _escape(run.row_ids),
            _escape(parent.name),
            parent_number,
            _escape(parent.effective_date.strftime(DATE_FORMAT)),
            parent_export,
        )
    ]
    for row in run.rows:
        number = _escape(row.number)
        more = (
            MORE_PLANS.format(
                len(row.more_plans),
                "".join(f"<li>{_escape(plan)}</li>" for plan in row.more_plans),
            )
            if row.more_plans
            else ""
        )
        actions = (
            VIEW_LIST.format(_escape(row.subscribers_url), number)
            + EXPORT.format(
                job_create, token, "group_roster_xlsx", "group", _escape(row.pk), number
            )
            if row.can_roster
            else ""
        )
        rows.append(
            SUFFIX_ROW.format(
                _escape(row.pk),
                _escape(row.detail_url),
                _escape(row.name),
                parent_number,
                _escape(row.suffix),
                _escape(row.status_display),
                _escape(row.original_display),
                _escape(row.renewal_display),
                _escape(row.plan_display),
                more,
                actions,
                "".join(ALERT_ICONS[alert.key] for alert in row.alerts),
            )
        )
    # Every value above was escaped; the fragments are our own markup.
    return mark_safe('<tbody class="book__run">' + "".join(rows) + "</tbody>")  # noqa: S308


# The filter's fields are written here too: included from a template, the 13 of them were a
# millisecond of the page. Every value is escaped; `short` labels a date range's ends.
FIELD = '<p class="book__field{}"><label for="{}">{}</label>\n{}{}</p>\n'
SELECT = '<select name="{}" id="{}"{}>{}</select>\n\n'
INPUT = '<input type="{}" name="{}" id="{}" value="{}"{}{}>\n'


def _filter_fields(form):
    """The filter form's fields as HTML, laid out as BookFilterForm.layout() says."""
    layout = form.layout()
    return {
        "search": [_field_html(field) for field in layout["search"]],
        "ranges": [
            (legend, _field_html(start, "From", legend), _field_html(end, "To", legend))
            for legend, start, end in layout["ranges"]
        ],
        "per_page": _field_html(layout["per_page"]),
    }


def _field_html(field, short="", legend=""):
    field_id = _escape(field["id"])
    invalid = f' aria-invalid="true" aria-describedby="{field_id}-error"' if field["error"] else ""
    if short:
        label = f'{_escape(short)}<span class="visually-hidden"> ({_escape(legend.lower())})</span>'
    else:
        label = _escape(field["label"])
    if field.get("options"):
        options = "".join(
            f'<option value="{_escape(value)}"{" selected" if selected else ""}>'
            f"{_escape(text)}</option>"
            for value, text, selected in field["options"]
        )
        control = SELECT.format(_escape(field["name"]), field_id, invalid, options)
    else:
        maxlength = f' maxlength="{_escape(field["maxlength"])}"' if field["maxlength"] else ""
        control = INPUT.format(
            _escape(field["type"]),
            _escape(field["name"]),
            field_id,
            _escape(field["value"]),
            maxlength,
            invalid,
        )
    error = (
        f'<span class="field-error" id="{field_id}-error">{_escape(field["error"])}</span>'
        if field["error"]
        else ""
    )
    css = " book__field--error" if field["error"] else ""
    # Each piece above is escaped values in our own markup.
    return mark_safe(FIELD.format(css, field_id, label, control, error))  # noqa: S308
