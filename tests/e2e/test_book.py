"""Book of Business in a real browser: filter, sort, page, expand a parent, Clear Search, Back,
Get XLS and the print layout; axe-core on each state."""

import re

import pytest
from playwright.sync_api import expect

from brokers.models import Broker
from brokers.services import broker_of_record_start
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e

BOOK = "/brokers/book-of-business/"


def suffix_rows(page):
    return page.locator("tr.book__suffix")


def row_ids(page):
    return [row.get_attribute("id") for row in suffix_rows(page).all()]


@pytest.fixture
def bigger_book(live_cast):
    """Twelve more groups of another employer in broker@'s book: fifteen in all."""
    broker = Broker.objects.get(user=live_cast.broker)
    parent = f.ParentGroupFactory(name="Lakeside Bakery")
    for n in range(1, 13):
        group = f.GroupFactory(parent=parent, suffix=f"{n:04d}", name=f"Shift {n}")
        broker_of_record_start(group=group, broker=broker, start_date=group.suffix_effective_date)
    return live_cast


def test_filter_sort_page_expand_clear_back_export_and_print(bigger_book, page, axe_source):
    cast = bigger_book
    log_in(page, "broker@demo.test")
    page.goto(BOOK)
    expect(page.get_by_role("heading", level=1, name="Book of Business")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("15 groups in your book")
    expect(suffix_rows(page)).to_have_count(15)
    assert_accessible(page, axe_source)

    # Filter by group name: htmx swaps the table and the URL follows.
    page.get_by_label("Group Name").fill("Cypress")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"name=Cypress"))
    expect(suffix_rows(page)).to_have_count(3)
    assert_accessible(page, axe_source)

    # Sort by suffix ID, descending (two clicks), keeping the filter.
    page.get_by_role("link", name="Parent Group ID / Group Suffix ID").click()
    expect(page).to_have_url(re.compile(r"sort=-number"))
    header = page.get_by_role("columnheader", name="Parent Group ID / Group Suffix ID")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(suffix_rows(page).first).to_contain_text(cast.employer_groups[2].suffix)
    assert_accessible(page, axe_source)

    # Clear Search: the whole book again.
    page.get_by_role("link", name="Clear Search").first.click()
    expect(page).to_have_url(re.compile(r"/book-of-business/$"))
    expect(suffix_rows(page)).to_have_count(15)

    # 10 entries a page, then the next page; Back restores the first page's table.
    page.get_by_label("Show entries").select_option("10")
    page.get_by_role("button", name="Search").click()
    expect(suffix_rows(page)).to_have_count(10)
    first_page = row_ids(page)
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"after="))
    expect(suffix_rows(page)).to_have_count(5)
    assert set(row_ids(page)).isdisjoint(first_page)
    assert_accessible(page, axe_source)
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"after="))
    expect(suffix_rows(page)).to_have_count(10)
    assert row_ids(page) == first_page

    # A parent's button hides and shows its suffixes.
    toggle = page.get_by_role("button", name="Cypress Manufacturing")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#book-group-{cast.employer_groups[0].pk}")).to_be_hidden()
    assert_accessible(page, axe_source)
    toggle.click()
    expect(page.locator(f"#book-group-{cast.employer_groups[0].pk}")).to_be_visible()

    # The alert legend.
    page.get_by_role("link", name="What do these alert icons mean?").click()
    expect(
        page.get_by_role("heading", level=1, name="What do these alert icons mean?")
    ).to_be_visible()
    assert_accessible(page, axe_source)
    page.go_back()

    # The print layout: the table without the filter, navigation or buttons.
    page.emulate_media(media="print")
    expect(page.locator("#book-filter")).to_be_hidden()
    expect(page.locator(".pagination")).to_be_hidden()
    expect(page.locator("table.book")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Get XLS")).first).to_be_hidden()
    assert_accessible(page, axe_source)
    page.emulate_media(media="screen")

    # Get XLS of one suffix: the report job's page opens and (eager Celery) the file is ready.
    group = cast.employer_groups[0]
    page.get_by_role("button", name=f"Get XLS of {group.number}").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/|/jobs/\d+/"))
    expect(page.get_by_role("link", name=re.compile("Download"))).to_be_visible()
    assert_accessible(page, axe_source)


def test_the_upline_sees_the_book_without_lists_or_exports(live_cast, page, axe_source):
    log_in(page, "upline@demo.test")
    page.goto(BOOK)
    expect(suffix_rows(page)).to_have_count(3)
    expect(page.get_by_role("button", name=re.compile("Get XLS"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("View List"))).to_have_count(0)
    assert_accessible(page, axe_source)
