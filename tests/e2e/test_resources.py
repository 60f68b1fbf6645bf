"""Sales & Quoting Resources and Support Tools in a real browser: office staff filter the forms
and brochures (the results swap in place), download one, reach an empty filter; then Support
Tools shows the phone menus, the broker's contracting and a license about to expire. Every
state passes axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brokers.models import Document
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import TINY_PDF, ContractingRecordFactory, DocumentFactory, LicenseFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def document_storage(tmp_path):
    """Documents go to the test's own folder; the live server's thread shares the storage."""
    storage = Document._meta.get_field("file").storage
    storage.__dict__["base_location"] = storage.__dict__["location"] = str(tmp_path / "documents")
    yield storage
    storage.__dict__.pop("base_location", None)
    storage.__dict__.pop("location", None)


def test_filter_and_download_forms_and_brochures(live_cast, page, axe_source):
    DocumentFactory(title="Broker of Record Change Form", filename="bor-change.pdf")
    DocumentFactory(
        title="Small Group Rate Sheet, California",
        category="rate_sheet",
        market="small_group",
        state="CA",
        filename="rates-ca.pdf",
    )
    DocumentFactory(
        title="Large Group Benefits Overview", category="brochure", market="large_group"
    )
    log_in(page, "staff@demo.test")  # office staff: no tool needed

    page.get_by_role("link", name="Sales & Quoting Resources").first.click()
    expect(page.get_by_role("heading", level=1, name="Sales & Quoting Resources")).to_be_visible()
    expect(page.get_by_text("3 documents found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="Open the quoting tool")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Market").select_option(label="Small group")
    page.get_by_label("State").select_option("CA")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("2 documents found, displaying all.").wait_for()
    assert "market=small_group" in page.url
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Small Group Rate Sheet")).to_have_count(1)
    expect(rows.filter(has_text="Large Group Benefits Overview")).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Title").click()
    page.locator('th[aria-sort="descending"]').wait_for()
    assert_accessible(page, axe_source)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Small Group Rate Sheet, California").click()
    download = download_info.value
    assert download.suggested_filename == "rates-ca.pdf"
    with open(download.path(), "rb") as file:
        assert file.read() == TINY_PDF

    page.get_by_label("Category").select_option(label="Guide")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("No forms or brochures match these filters.").wait_for()
    assert_accessible(page, axe_source)


def test_support_tools_show_contacts_contracting_and_licenses(live_cast, page, axe_source):
    broker = live_cast.broker.broker
    ContractingRecordFactory(npn=broker.npn, states_appointed="CA,NV")
    LicenseFactory(
        broker=broker,
        state="NV",
        is_primary=False,
        expires_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    log_in(page, "broker@demo.test")

    page.get_by_role("link", name="Support Tools").first.click()
    expect(page.get_by_role("heading", level=1, name="Support Tools")).to_be_visible()
    expect(page.get_by_role("heading", name="Broker Services")).to_be_visible()
    expect(page.get_by_role("link", name="1-800-555-0110")).to_be_visible()
    expect(page.get_by_text("CA, NV")).to_be_visible()
    nevada = page.get_by_role("row").filter(has_text="NV")
    assert "Expires within 60 days" in nevada.inner_text()
    expect(page.get_by_role("link", name="Product certification courses")).to_be_visible()
    assert_accessible(page, axe_source)
