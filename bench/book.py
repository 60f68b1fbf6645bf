"""Book of Business as broker@ pages it: first, middle and last page, filtered and sorted.

The target (issue "Broker portal 2"): at a million members, with broker@'s book of ~5,000
groups (--scale 265), each page's server time at most twice the bare one-query view's: that
page's rows query alone, served as plain text behind the same middleware (bench/urls.py). Each
page is also timed against `bare-view`, the cheapest page there is. The list pages by
keyset (a cursor of sort key + pk in the URL), so the middle and last pages should cost what
the first does; the setup walks the Next links to the middle page, as a person would, and
prints the plan of that page's query (the page's only query of its own: keys and row
cells together).
"""

import functools
import re
from urllib.parse import parse_qsl, urlsplit

from django.db import connection
from django.utils import timezone

from bench import baseline, scenario
from brokers import selectors

# The page's query is built here as the view builds it, to print its plan.
from brokers.views.book import _beyond, _decode, _order
from portal.accounts.models import User

BOOK = "/brokers/book-of-business/"
BROKER = "broker@demo.test"
# Filter and sort applied: active groups, newest original enrollment first, 25 a page.
QUERY = {"status": "active", "sort": "-original", "per_page": "25"}
NEXT = re.compile(r'href="([^"]+)" rel="next"')


def _get(client, path, params=None):
    response = client.get(path, params or {})
    if response.status_code != 200 or b'id="book-group-' not in response.content:
        raise RuntimeError(f"{path} answered {response.status_code} without groups")
    return response


def _book(user):
    return selectors.book_groups_for(
        selectors.book_scope_for(user),
        today=timezone.localdate(),
        filters={"status": QUERY["status"]},
        sort=QUERY["sort"],
    )


def _explain(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) {sql}", params)
        return [line for (line,) in cursor.fetchall()]


@functools.cache
def _middle_page(client):
    """Follow Next from the first page to the middle one; print the page query's plan there.

    Returns the page's path and its cursor's sort-key values (cached: the page and its bare
    view both start there)."""
    user = User.objects.get(email=BROKER)
    groups = _book(user)
    pages = -(-groups.count() // int(QUERY["per_page"]))
    response = _get(client, BOOK, QUERY)
    for _ in range(pages // 2):
        link = NEXT.search(response.text).group(1).replace("&amp;", "&")
        response = _get(client, BOOK + link)
    params = dict(parse_qsl(urlsplit(link).query))
    print(f"\n  broker@'s book: {groups.count()} active groups, {pages} pages of 25")
    print(f"  Query plan: page {pages // 2 + 1} (keyset after a cursor)")
    fields = selectors.BOOK_SORTS["original"]
    values = _decode(params["after"], QUERY["sort"])
    query = (
        selectors.book_page_rows(groups, selectors.book_scope_for(user), today=timezone.localdate())
        .filter(_beyond(fields, values, True))
        .order_by(*_order(fields, True))[:26]
    )
    for line in _explain(query):
        print(f"    {line}")
    return BOOK + link, values


def _bare(ctx, **params):
    """A baseline: the page's rows query alone, through bench.urls.bare_book_page."""
    client = ctx.client_for(BROKER)
    office_id = selectors.book_scope_for(User.objects.get(email=BROKER))
    path = f"/bench/bare-book/{office_id}/"
    params = {"status": QUERY["status"], **params}

    def run():
        response = client.get(path, params)
        if response.status_code != 200 or not response.content:
            raise RuntimeError(f"{path} answered {response.status_code} without groups")

    return run


@baseline("bare-book-first", repeat=200)
def bare_book_first(ctx):
    """The Book of Business's first page as its rows query alone (bench/urls.py)."""
    return _bare(ctx)


@baseline("bare-book-middle", repeat=200)
def bare_book_middle(ctx):
    """The Book of Business's middle page as its rows query alone (bench/urls.py)."""
    _, values = _middle_page(ctx.client_for(BROKER))
    return _bare(ctx, after=",".join(str(v) for v in values))


@baseline("bare-book-last", repeat=200)
def bare_book_last(ctx):
    """The Book of Business's last page as its rows query alone (bench/urls.py)."""
    return _bare(ctx, order="asc")


# Each page is timed twice: against the cheapest page there is (`bare-view`, one indexed
# lookup) and against its own bare one-query view (the "2x the bare one-query view").
@scenario("book-first-page", baseline="bare-view", repeat=200)
@scenario("book-first-page-own-query", baseline="bare-book-first", repeat=200)
def book_first_page(ctx):
    """Book of Business as broker@: the first page, active groups, newest enrollment first."""
    client = ctx.client_for(BROKER)
    return lambda: _get(client, BOOK, QUERY)


@scenario("book-middle-page", baseline="bare-view", repeat=200)
@scenario("book-middle-page-own-query", baseline="bare-book-middle", repeat=200)
def book_middle_page(ctx):
    """Book of Business as broker@: the middle page (keyset cursor), same filter and sort."""
    client = ctx.client_for(BROKER)
    path, _ = _middle_page(client)
    return lambda: _get(client, path)


@scenario("book-last-page", baseline="bare-view", repeat=200)
@scenario("book-last-page-own-query", baseline="bare-book-last", repeat=200)
def book_last_page(ctx):
    """Book of Business as broker@: the last page, same filter and sort."""
    client = ctx.client_for(BROKER)
    return lambda: _get(client, BOOK, {**QUERY, "page": "last"})
