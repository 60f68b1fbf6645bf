"""Ops' admin pages pass the same axe-core check as the portal, breadcrumbs included (our admin
stylesheet underlines their links): the index, a list, a change form, the audit log with its
filters and export, the access review and a data load."""

import pytest
from playwright.sync_api import expect

from portal.audit.models import AuditEvent
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import AuditEventFactory

pytestmark = pytest.mark.e2e


def test_ops_admin_pages_are_accessible(live_cast, page, axe_source):
    member = live_cast.members[live_cast.employer_groups[0].number]
    AuditEventFactory(user=live_cast.broker, object_id=str(member.pk))
    AuditEventFactory(
        user=live_cast.employer, object_id=str(member.pk), action=AuditEvent.Action.CHANGE
    )

    log_in(page, "ops@demo.test")
    expect(page.get_by_role("heading", level=1, name="Site administration")).to_be_visible()
    assert_accessible(page, axe_source)

    page.goto("/admin/enrollment/member/")
    expect(page.get_by_role("heading", level=1, name="Select member to change")).to_be_visible()
    assert_accessible(page, axe_source)

    # A member's page: who viewed or changed them, and the way to the full log.
    page.goto(f"/admin/enrollment/member/{member.pk}/change/")
    expect(page.get_by_text("broker@demo.test")).to_be_visible()
    expect(page.get_by_text("employer@demo.test")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="This member in the audit log").click()
    expect(page.get_by_role("row").filter(has_text="broker@demo.test")).to_have_count(1)
    assert_accessible(page, axe_source)

    # The date filter narrows the member's events to none before they happened.
    page.get_by_label("To (included)").fill("2000-01-01")
    page.get_by_role("button", name="Filter by date").click()
    expect(page.get_by_text("0 audit events", exact=False)).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Any date").click()
    expect(page.get_by_role("row").filter(has_text="employer@demo.test")).to_have_count(1)

    # Export what the list shows: a report job, with its progress page.
    page.get_by_role("button", name="Export these events to XLSX").click()
    expect(page.get_by_role("heading", level=1, name="Audit log export")).to_be_visible()
    assert_accessible(page, axe_source)

    # The access review, from the admin index's security box.
    page.goto("/admin/")
    page.get_by_role("link", name="Access review").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Group number").fill(live_cast.employer_groups[0].number)
    page.get_by_role("button", name="Review the group").click()
    reviewed = page.get_by_role("table", name="Portal users and the grants that let them in")
    for email in ("employer@", "groupadmin@", "broker@", "staff@", "upline@"):
        # broker@ and staff@ are listed twice: as broker of record and by the employer's grant.
        expect(reviewed.get_by_role("link", name=f"{email}demo.test").first).to_be_visible()
    expect(reviewed.get_by_text("broker2@demo.test")).to_have_count(0)
    assert_accessible(page, axe_source)
    reviewed.get_by_role("link", name="upline@demo.test").click()
    expect(
        page.get_by_role("heading", level=1, name="What upline@demo.test can reach")
    ).to_be_visible()
    assert_accessible(page, axe_source)

    # A data load's page, with its dry run.
    page.goto("/admin/enrollment/plan/import/")
    expect(page.get_by_label("Check the file only (dry run)", exact=False)).to_be_visible()
    assert_accessible(page, axe_source)
