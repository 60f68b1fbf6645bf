"""A broker registers in a real browser: NPN + Tax ID, the emailed link, password, terms and an
authenticator, then the first sign-in with its code. Every page is checked with axe-core."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from brokers.services import broker_of_record_start
from portal.accounts.models import RegistrationToken, Role
from portal.accounts.services import pending_user_create, registration_token_issue
from tests.e2e.helpers import assert_accessible, complete_registration, totp_code
from tests.factories import BrokerFactory, ContractingRecordFactory, GroupFactory

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "jack-be-nimble-2026"


@pytest.fixture
def contracted(transactional_db, settings, live_server):
    """A contracting record, and the carrier's Broker row for it with a group of record."""
    settings.PORTAL_BASE_URL = live_server.url
    record = ContractingRecordFactory(
        first_name="Jack", last_name="Nimble", email="jack@nimble.example", tax_id="123456789"
    )
    broker = BrokerFactory(npn=record.npn)
    group = GroupFactory(name="Quick Candle Co")
    broker_of_record_start(group=group, broker=broker, start_date=datetime.date(2024, 1, 1))
    return record


def test_a_broker_registers_from_npn_and_tax_id_to_the_first_sign_in(
    contracted, page, axe_source, mailoutbox
):
    # The front door: "Select your account type", the broker's sign-in page, Register now.
    page.goto("/")
    page.get_by_role("link", name="I'm a broker").click()
    assert urlsplit(page.url).path == "/brokers/sign-in/"
    page.get_by_role("link", name="Register now").first.click()
    assert urlsplit(page.url).path == "/brokers/register/"
    assert_accessible(page, axe_source)

    page.get_by_label("National Producer Number (NPN)").fill(contracted.npn)
    page.get_by_label("Tax ID").fill("12-3456789")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("cell", name="j••••@nimble.example")).to_be_visible()
    expect(page.get_by_role("cell", name="Nimble", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Send Email").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("button", name="Resend registration email")).to_be_visible()
    assert_accessible(page, axe_source)
    (invitation,) = mail.outbox
    assert invitation.to == ["jack@nimble.example"]
    link = re.search(r"http://\S+/brokers/register/complete/\S+/", invitation.body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Finish registering")).to_be_visible()
    assert_accessible(page, axe_source)

    secret = complete_registration(page, NEW_PASSWORD)

    expect(page.get_by_role("heading", name="Your account is active")).to_be_visible()
    assert_accessible(page, axe_source)
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["jack@nimble.example"]
    assert f"{urlsplit(link).scheme}://{urlsplit(link).netloc}/brokers/sign-in/" in (
        confirmation.body
    )

    # The first sign-in, from the link in the confirmation email.
    page.goto(re.search(r"http://\S+/brokers/sign-in/", confirmation.body).group(0))
    page.get_by_label("Email").fill("jack@nimble.example")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/accounts/2fa/authenticate/"
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()

    assert urlsplit(page.url).path == "/brokers/"
    expect(page.get_by_text("Jack Nimble").first).to_be_visible()


def test_a_mismatch_gets_one_neutral_message(contracted, page, axe_source):
    page.goto("/brokers/register/")
    page.get_by_label("National Producer Number (NPN)").fill(contracted.npn)
    page.get_by_label("Tax ID").fill("987654321")
    page.get_by_role("button", name="Continue").click()

    alert = page.get_by_role("alert")
    assert "could not find a contracting record with that NPN and Tax ID" in alert.inner_text()
    expect(page.get_by_role("button", name="Send Email")).to_have_count(0)
    assert_accessible(page, axe_source)


def test_an_expired_link_explains_how_to_get_a_new_one(transactional_db, page, axe_source):
    user = pending_user_create(
        email="late@nimble.example", first_name="Lee", last_name="Late", role=Role.BROKER
    )
    raw = registration_token_issue(user=user, purpose="broker", payload={"contracting_record": 0})
    RegistrationToken.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))

    page.goto(f"/brokers/register/complete/{raw}/")

    expect(page.get_by_role("heading", name="This registration link has expired")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="start registration again").click()
    assert urlsplit(page.url).path == "/brokers/register/"
