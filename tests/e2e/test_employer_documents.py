"""My Dashboard and Group Documents in a real browser: groupadmin@ sees the four sections and
the Quick Links, opens the Group Documents tab, filters, sorts and downloads one of their
suffix's documents. Every state passes axe."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import TINY_PDF, GroupDocumentFactory

pytestmark = pytest.mark.e2e


def test_dashboard_and_group_documents(live_cast, page, axe_source, tmp_path):
    own = live_cast.employer_groups[0]
    GroupDocumentFactory(group=own, title="2027 Summary of Benefits", category="benefits")
    GroupDocumentFactory(group=own, title="Group Contract", category="contract")
    GroupDocumentFactory(group=live_cast.employer_groups[1], title="Another suffix's notice")
    log_in(page, "groupadmin@demo.test")

    expect(page.get_by_role("heading", level=1, name="My Dashboard")).to_be_visible()
    for section in ["Manage Accounts & Reports", "Manage Enrollment", "Pay My Bill"]:
        expect(page.get_by_role("main").get_by_role("link", name=section)).to_be_visible()
    quick_links = page.get_by_role("complementary", name="Quick Links")
    expect(quick_links.get_by_role("link", name="Key Contacts for Employers")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("navigation", name="My Dashboard").get_by_role(
        "link", name="Group Documents"
    ).click()
    expect(page.get_by_text("2 documents found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="Another suffix's notice")).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_label("Category").select_option(label="Contract")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 document found, displaying all.")).to_be_visible()
    assert "category=contract" in page.url
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Title").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_have_text("Title")
    expect(page.get_by_role("row").nth(1)).to_contain_text("2027 Summary of Benefits")
    assert_accessible(page, axe_source)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="2027 Summary of Benefits").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.read_bytes() == TINY_PDF
