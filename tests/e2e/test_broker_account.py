"""My Account in a real browser: a bad telephone number is refused with a message tied to its
field, a good one is saved; Mark as Primary moves the primary profile; "Viewing dashboard for"
switches the Broker ID and keeps it across pages. Every state passes axe."""

import pytest

from brokers.models import License
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import BrokerCodeFactory, LicenseFactory

pytestmark = pytest.mark.e2e


def test_broker_updates_phone_and_primary_profile(live_cast, page, axe_source):
    broker = live_cast.broker.broker
    nevada = LicenseFactory(broker=broker, state="NV", is_primary=False, association="Individual")
    log_in(page, "broker@demo.test")
    page.goto("/brokers/account/")
    assert_accessible(page, axe_source)

    page.get_by_role("textbox", name="Telephone number").fill("555-01")
    page.get_by_role("button", name="Update Account").click()
    field = page.get_by_role("textbox", name="Telephone number")
    assert field.get_attribute("aria-invalid") == "true"
    assert "ten-digit" in page.locator("#phone-errors").inner_text()
    assert_accessible(page, axe_source)

    field.fill("916 555 0142")
    page.get_by_role("button", name="Update Account").click()
    assert page.get_by_role("status").inner_text().startswith("Your telephone number was updated")
    assert "916-555-0142" in page.locator(".details").inner_text()

    nevada_row = page.get_by_role("row").filter(has_text=nevada.number)
    nevada_row.get_by_role("button", name="Mark as Primary").click()
    assert page.get_by_role("status").inner_text().startswith("Your NV license is now")
    assert License.objects.get(pk=nevada.pk).is_primary
    assert_accessible(page, axe_source)


def test_viewing_dashboard_for_switches_the_broker_id(live_cast, page, axe_source):
    broker = live_cast.broker.broker
    individual = BrokerCodeFactory(broker=broker, label="Individual", is_primary=False)
    log_in(page, "broker@demo.test")

    page.get_by_label("Viewing dashboard for").select_option(str(individual.pk))
    page.get_by_role("button", name="Go").click()

    assert page.get_by_role("status").inner_text().startswith("Now viewing the dashboard for")
    page.get_by_role("link", name="My Account").click()
    assert page.get_by_label("Viewing dashboard for").input_value() == str(individual.pk)
    assert_accessible(page, axe_source)
