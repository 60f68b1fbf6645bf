"""Every role signs in through the real form, lands on its home and can use its portal's nav.

Each page it reaches must pass axe-core with no serious or critical violation.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from portal.context_processors import BROKER_NAV, EMPLOYER_NAV, PROVIDER_NAV
from tests.cast import ROLES
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e

# Where each role lands after signing in, the start of the heading it sees there, and its nav.
HOMES = {
    "broker": ("/brokers/", "Welcome", BROKER_NAV),
    "staff": ("/brokers/", "Welcome", BROKER_NAV),
    "upline": ("/brokers/", "Welcome", BROKER_NAV),
    "broker2": ("/brokers/", "Welcome", BROKER_NAV),
    "employer": ("/employers/", "My Dashboard", EMPLOYER_NAV),
    "groupadmin": ("/employers/", "My Dashboard", EMPLOYER_NAV),
    "employer2": ("/employers/", "My Dashboard", EMPLOYER_NAV),
    "provider": ("/providers/", "Welcome", PROVIDER_NAV),
    "provideruser": ("/providers/", "Welcome", PROVIDER_NAV),
    "provider2": ("/providers/", "Welcome", PROVIDER_NAV),
    "ops": ("/admin/", "Site administration", []),
}

# Django's own admin JavaScript, not ours, fails this; switched off on admin pages only. (The
# breadcrumb links that failed link-in-text-block are underlined by static/css/admin.css.)
ADMIN_ONLY_DISABLED_RULES = [
    # The change form's filter widget (admin/js/SelectFilter2.js) puts aria-label on a bare <span>.
    "aria-prohibited-attr",
]


def test_every_role_has_a_home():
    assert sorted(HOMES) == sorted(ROLES)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "ops"])
def test_role_signs_in_to_its_home_and_every_nav_page_is_accessible(
    role, live_cast, page, axe_source
):
    home, heading, nav = HOMES[role]

    log_in(page, f"{role}@demo.test")

    assert urlsplit(page.url).path == home
    assert page.get_by_role("heading", level=1).inner_text().startswith(heading)
    assert_accessible(page, axe_source)
    main_nav = page.get_by_role("navigation", name="Main")
    user = live_cast.users[role]
    for label, _url_name, perm in nav:
        if perm and not user.has_perm(perm):
            # A tool the user's broker did not grant them is not in their navigation.
            expect(main_nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
            continue
        main_nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        # The page it opened marks itself as the current nav item, so it is that page, not a 404.
        expect(main_nav.locator("a[aria-current=page]")).to_have_text(label)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_accessible(page, axe_source)


def test_ops_signs_in_to_the_admin_and_its_pages_are_accessible(live_cast, page, axe_source):
    home, heading, _nav = HOMES["ops"]

    log_in(page, "ops@demo.test")

    assert urlsplit(page.url).path == home
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    for path in [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{live_cast.broker.pk}/change/",
    ]:
        assert page.goto(path).ok, path
        assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
