"""Ops support in the browser. A support agent assumes an employer administrator's identity
from the user admin: gives the reason, sees the employer's portal with the banner, has a change
refused, and ends it, back in the admin as themselves. Account support unlocks a locked user
with a reason, which then shows in the user's support history. Every page passes axe-core."""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone
from playwright.sync_api import expect

from portal.accounts import ops_roles
from portal.accounts.models import Role, SupportAction, User
from tests.e2e.helpers import assert_accessible, log_in
from tests.e2e.test_audience_portals import ADMIN_ONLY_DISABLED_RULES
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def agent(transactional_db):
    user = UserFactory(email="agent@carrier.example", role=Role.OPS, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=ops_roles.SUPPORT))
    return user


def test_support_assumes_an_identity_read_only_and_ends_it(live_cast, agent, page, axe_source):
    employer = live_cast.employer
    log_in(page, agent.email)
    page.goto(f"/admin/accounts/user/{employer.pk}/change/")
    page.get_by_role("link", name="Assume identity").click()

    expect(page.get_by_text("read-only", exact=False).first).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("button", name="Assume identity").click()
    expect(page.get_by_text("Give the reason")).to_be_visible()
    assert not SupportAction.objects.exists()

    page.get_by_label("Reason").fill("Caller cannot see suffix 0002; ticket 5521")
    page.get_by_role("button", name="Assume identity").click()

    banner = page.get_by_role("region", name="Assumed identity")
    expect(banner).to_contain_text("You are viewing the portal as")
    expect(banner).to_contain_text("employer@demo.test")
    expect(page).to_have_url(f"{page.url.split('/employers/')[0]}/employers/")
    assert_accessible(page, axe_source)

    # A change is refused, with the banner still there.
    page.goto("/employers/accounts-reports/account/")
    expect(banner).to_be_visible()
    page.get_by_role("button", name="Update").click()
    expect(
        page.get_by_role("heading", name="Read-only while you assume an identity")
    ).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="End assumed identity").click()

    expect(page.get_by_text("You are no longer viewing the portal as")).to_be_visible()
    expect(page).to_have_url(
        f"{page.url.split('/admin/')[0]}/admin/accounts/user/{employer.pk}/change/"
    )
    expect(page.get_by_role("region", name="Assumed identity")).to_have_count(0)
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    action = SupportAction.objects.get()
    assert action.reason == "Caller cannot see suffix 0002; ticket 5521"
    assert action.ended_at is not None


def test_account_support_unlocks_a_locked_user_with_a_reason(live_cast, page, axe_source):
    agent = UserFactory(email="desk@carrier.example", role=Role.OPS, is_staff=True)
    agent.groups.add(
        *AuthGroup.objects.filter(name__in=[ops_roles.SUPPORT, ops_roles.ACCOUNT_SUPPORT])
    )
    staff = live_cast.staff
    User.objects.filter(pk=staff.pk).update(locked_at=timezone.now(), failed_login_count=5)
    log_in(page, agent.email)
    page.goto(f"/admin/accounts/user/{staff.pk}/change/")
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("link", name="Unlock").click()

    expect(page.get_by_text("The account unlocks at once")).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_label("Reason").fill("Caller verified on the broker's number; ticket 4420")
    page.get_by_role("button", name="Unlock").click()

    expect(page.get_by_text("Unlock: done for staff@demo.test")).to_be_visible()
    expect(page.get_by_role("link", name="Unlock")).to_have_count(0)
    expect(page.get_by_text("Caller verified on the broker's number; ticket 4420")).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    assert User.objects.get(pk=staff.pk).locked_at is None
