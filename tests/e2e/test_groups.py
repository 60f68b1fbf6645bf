"""Group details and subscribers in a real browser: billing shown or explained, the side menu's
anchors, the subscriber list to a subscriber, and the Excel export from request to file. Every
page state is checked with axe-core."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_group_details_with_and_without_billing_view(live_cast, page, axe_source, tmp_path):
    granted, not_granted = live_cast.employer_groups[0], live_cast.employer_groups[2]
    f.InvoiceFactory(group=granted)
    f.InvoiceFactory(group=not_granted)
    log_in(page, "broker@demo.test")

    page.goto(f"/brokers/groups/{granted.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(granted.name)
    billing = page.locator("#billing")
    expect(billing.get_by_text("Balance Due")).to_be_visible()
    expect(billing.get_by_text("$2,835.66").first).to_be_visible()
    assert_accessible(page, axe_source)

    # The side menu's links lead to their sections on the same page.
    menu = page.get_by_role("navigation", name="Group details sections")
    menu.get_by_role("link", name="Renewal & Enrollment").click()
    expect(page).to_have_url(re.compile(r"#renewal$"))
    expect(page.locator("#renewal").get_by_text("Waiting Period")).to_be_in_viewport()
    assert_accessible(page, axe_source)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download results as Excel").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert ("Contact Information", "Group Number", granted.number) in rows

    page.goto(f"/brokers/groups/{not_granted.pk}/")
    billing = page.locator("#billing")
    expect(
        billing.get_by_text("ask the employer's administrator to grant you billing access")
    ).to_be_visible()
    expect(billing.get_by_text("Balance Due")).to_have_count(0)
    assert_accessible(page, axe_source)


def test_subscriber_list_to_detail_and_excel_export(live_cast, page, axe_source, tmp_path):
    group = live_cast.employer_groups[0]
    subscriber = live_cast.members[group.number]
    dependent = subscriber.dependents.get()
    for n in range(30):
        f.MemberFactory(group=group, last_name=f"Zz{n:02d}")
    log_in(page, "broker@demo.test")

    page.goto(f"/brokers/groups/{group.pk}/")
    page.get_by_role("navigation", name="Group details sections").get_by_role(
        "link", name="View Subscriber List"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Subscribers")
    expect(page.get_by_text("Showing 1 to 25 of 31 entries.")).to_be_visible()
    assert_accessible(page, axe_source)

    # Paging and search swap the results in place.
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Showing 26 to 31 of 31 entries.")).to_be_visible()
    page.get_by_label("Name or subscriber ID").fill(subscriber.member_id)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Showing 1 to 1 of 1 entry")).to_be_visible()
    assert_accessible(page, axe_source)

    name = f"{subscriber.last_name.upper()}, {subscriber.first_name.upper()}"
    page.get_by_role("link", name=name).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(name)
    dependents = page.get_by_role("table", name=re.compile("Dependents"))
    expect(dependents.get_by_role("cell", name=dependent.member_id)).to_be_visible()
    expect(dependents.get_by_role("cell", name="Child")).to_be_visible()
    assert_accessible(page, axe_source)

    # Back through the breadcrumb; the export runs as a report job and is ready on its page.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Subscribers"
    ).click()
    page.get_by_role("button", name="Download results as Excel").click()
    expect(page.get_by_text("Your report is ready.")).to_be_visible()
    assert_accessible(page, axe_source)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download ")).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0][0] == "Member ID"
    assert len(rows) == 1 + 32
    assert {subscriber.member_id, dependent.member_id} <= {row[0] for row in rows}

    # Recent Activity says so too.
    page.goto("/brokers/")
    expect(page.get_by_text("Your subscriber list is ready to download.")).to_be_visible()
    assert_accessible(page, axe_source)
