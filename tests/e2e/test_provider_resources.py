"""Resources in a real browser: an end user finds a participating provider (the results swap in
place, sort, a search with no match and one with a mistake), acknowledges the Important Notice,
searches the policies, opens one and follows its document to the "You are now leaving" notice,
then cancels back. The delegated administrator uses the other sites' links. axe on every page
and state."""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def _network():
    practice = f.ProviderOrganizationFactory(name="Oak Street Family Medicine")
    f.PractitionerFactory(
        organization=practice,
        first_name="Ana",
        last_name="Lee",
        specialty="Family Medicine",
        city="Sacramento",
        state="CA",
        zip_code="95814",
        office_phone="(916) 555-0101",
    )
    f.PractitionerFactory(
        organization=practice,
        first_name="Bo",
        last_name="Leeds",
        specialty="Cardiology",
        city="Sacramento",
        state="CA",
        zip_code="95816",
        office_phone="(916) 555-0102",
        accepting_new_patients=False,
    )
    f.PractitionerFactory(
        first_name="Cy", last_name="Adams", specialty="Cardiology", city="Fresno", state="CA"
    )
    f.PractitionerFactory(
        first_name="Al", last_name="Gone", specialty="Cardiology", is_participating=False
    )


def test_find_a_participating_provider(live_cast, page, axe_source):
    _network()
    log_in(page, "provideruser@demo.test")

    page.get_by_role("link", name="Resources").first.click()
    expect(page.get_by_role("heading", level=1, name="Resources")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Find a Provider").click()
    expect(page.get_by_role("heading", level=1, name="Find a Provider")).to_be_visible()
    expect(page.get_by_text("3 participating providers found, displaying all.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Gone")).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_label("Specialty").select_option("Cardiology")
    page.get_by_label("City or ZIP code").fill("958")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 participating provider found, displaying all.")).to_be_visible()
    assert "specialty=Cardiology" in page.url
    row = page.get_by_role("row").filter(has_text="Leeds, Bo")
    expect(row).to_contain_text("Sacramento, CA 95816")
    expect(row).to_contain_text("(916) 555-0102")
    expect(row).to_contain_text("No")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Location").click()
    page.locator('th[aria-sort="ascending"]').wait_for()
    expect(page.get_by_role("row").nth(1)).to_contain_text("Adams, Cy")
    assert_accessible(page, axe_source)

    page.get_by_label("Provider name").fill("Nobody")
    page.get_by_label("Accepting new patients only").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No participating provider matches this search.")).to_be_visible()
    assert_accessible(page, axe_source)

    # A mistake is named in the summary swapped in with the results, linked to its box.
    page.get_by_label("Provider name").fill("")
    page.get_by_label("City or ZIP code").fill("12ab")
    page.get_by_role("button", name="Search").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a ZIP code (5 digits) or its first 3 digits.")
    summary.get_by_role("link").click()
    expect(page.get_by_label("City or ZIP code")).to_be_focused()
    assert_accessible(page, axe_source)


def test_policies_after_the_notice_and_a_document_through_the_leaving_notice(
    live_cast, page, axe_source
):
    policy = f.MedicalPolicyFactory(
        number="MP-1001",
        title="Bariatric Surgery",
        category="Surgery",
        summary="Criteria for bariatric surgery in adults.",
        body="Criteria\nA body mass index of 40 or more.",
        external_url="https://policies.example.org/MP-1001.pdf",
    )
    f.MedicalPolicyFactory(
        number="CG-2001",
        title="Adult Preventive Care",
        kind="clinical_guideline",
        category="Preventive Care",
        effective_date=datetime.date(2025, 3, 1),
    )
    f.MedicalPolicyFactory(number="MP-1999", title="Draft Policy", is_published=False)
    log_in(page, "provideruser@demo.test")
    page.goto("/providers/resources/")

    page.get_by_role("link", name="Medical Policies & Clinical Guidelines").click()
    expect(page.get_by_role("heading", level=1, name="Important Notice")).to_be_visible()
    first = settings.CARRIER["medical_policy_notice"]["sections"][0]["heading"]
    expect(page.get_by_role("heading", name=first)).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="I acknowledge: continue to the policies").click()
    expect(
        page.get_by_role("heading", level=1, name="Medical Policies & Clinical Guidelines")
    ).to_be_visible()
    expect(page.get_by_text("2 policies and guidelines found, displaying all.")).to_be_visible()
    expect(page.get_by_text("Draft Policy")).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_label("Type").select_option(label="Clinical guideline")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 policy and guideline found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="Adult Preventive Care")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Type").select_option(label="Policies and guidelines")
    page.get_by_label("Title or policy number").fill("mp-1001")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Bariatric Surgery").click()
    expect(page.get_by_role("heading", level=1, name="Bariatric Surgery")).to_be_visible()
    expect(page.get_by_text("A body mass index of 40 or more.")).to_be_visible()
    assert_accessible(page, axe_source)

    # The document lives on another site: the notice shows where, and only links there.
    page.get_by_role("link", name="The full document").click()
    expect(
        page.get_by_role("heading", level=1, name="You are now leaving Evergreen Health Plan")
    ).to_be_visible()
    expect(page.get_by_text("https://policies.example.org/MP-1001.pdf")).to_be_visible()
    go = page.get_by_role("link", name="Continue to policies.example.org")
    expect(go).to_have_attribute("href", "https://policies.example.org/MP-1001.pdf")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(f"/providers/resources/policies/{policy.pk}/$"))

    # A link to the notice the portal did not write is refused, plainly.
    page.goto("/providers/resources/leaving/?to=https://elsewhere.example/")
    expect(page.get_by_role("heading", level=1, name="This link can't be followed")).to_be_visible()
    expect(page.get_by_text("elsewhere.example")).to_have_count(0)
    assert_accessible(page, axe_source)


def test_delegated_administrator_follows_another_site_through_the_notice(
    live_cast, page, axe_source
):
    link = settings.CARRIER["provider_links"][0]
    log_in(page, "provider@demo.test")
    page.get_by_role("link", name="Resources").first.click()
    page.get_by_role("link", name=link["label"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You are now leaving")
    go = page.get_by_role("link", name="Continue to")
    expect(go).to_have_attribute("href", link["url"])
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1, name="Resources")).to_be_visible()
