"""Signing in and out in a real browser, the public pages' accessibility, and the keyboard."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e

BAD_PASSWORD = "not-the-password-2026"


def test_login_page_is_accessible(live_server, page, axe_source):
    page.goto("/accounts/login/")

    expect(page.get_by_role("heading", level=1, name="Sign In")).to_be_visible()
    assert_accessible(page, axe_source)


def test_password_reset_pages_are_accessible(live_cast, page, axe_source):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot Password / Unlock Account").click()

    assert urlsplit(page.url).path == "/accounts/password/reset/"
    assert_accessible(page, axe_source)

    page.get_by_label("Email").fill("broker@demo.test")
    page.get_by_role("button", name="Reset My Password").click()

    assert urlsplit(page.url).path == "/accounts/password/reset/done/"
    assert_accessible(page, axe_source)


def test_wrong_password_and_unknown_email_get_the_same_error(live_cast, page, axe_source):
    log_in(page, "broker@demo.test", BAD_PASSWORD)
    wrong_password_error = page.get_by_role("alert").inner_text()
    assert_accessible(page, axe_source)

    log_in(page, "nobody@demo.test", BAD_PASSWORD)
    unknown_email_error = page.get_by_role("alert").inner_text()

    assert urlsplit(page.url).path == "/accounts/login/"
    assert re.search(r"not correct", wrong_password_error)
    # The same words either way, so the form can't be used to learn who has an account.
    assert unknown_email_error == wrong_password_error
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_log_out_ends_the_session(live_cast, page):
    log_in(page, "broker@demo.test")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    page.goto("/brokers/")

    assert urlsplit(page.url).path == "/accounts/login/"
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(live_cast, page):
    log_in(page, "broker@demo.test")
    page.goto("/brokers/account/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.evaluate("link => link === document.activeElement")
    # Hidden off-screen until focused; a sighted keyboard user must see it when it has focus.
    assert skip_link.bounding_box()["x"] >= 0

    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"
    # And the next Tab continues inside main rather than going back through the header and nav.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_focus_ring_contrasts_with_the_page_behind_it(live_server, page):
    """axe-core can't see focus styles; WCAG 1.4.11 asks 3:1 of them against what is around."""
    page.goto("/accounts/login/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.getElementById('main').contains(document.activeElement)"):
            break

    ring = page.evaluate(FOCUS_RING_JS)

    ring_colours = [
        _rgb(ring["outline"]),
        *map(_rgb, re.findall(r"rgba?\([^)]*\)", ring["shadow"])),
    ]
    behind = _rgb(ring["behind"])
    best = max(_contrast(colour, behind) for colour in ring_colours)
    assert best >= 3, f"focus ring {ring} is at most {best:.2f}:1 against {ring['behind']}"


# The focused element's outline and box-shadow, and the first opaque background behind it.
FOCUS_RING_JS = """() => {
    const focused = document.activeElement;
    const style = getComputedStyle(focused);
    let behind = focused.parentElement;
    while (behind && getComputedStyle(behind).backgroundColor === "rgba(0, 0, 0, 0)") {
        behind = behind.parentElement;
    }
    return {
        outline: style.outlineColor,
        shadow: style.boxShadow,
        behind: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
    };
}"""


def _rgb(css_colour):
    return [int(part) for part in re.findall(r"\d+", css_colour)[:3]]


def _contrast(first, second):
    """WCAG's contrast ratio of two sRGB colours."""

    def luminance(rgb):
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in rgb
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_a_blocked_inline_script_fails_the_test(live_server, page, browser_errors):
    """Guards the guard: if the CSP check went deaf, every other test would pass silently."""

    def add_inline_script(route):
        response = route.fetch()
        body = response.text().replace("</main>", "<script>window.injected = true;</script></main>")
        route.fulfill(response=response, body=body)

    page.route("**/accounts/login/", add_inline_script)
    page.goto("/accounts/login/")

    assert page.evaluate("window.injected") is None
    assert len(browser_errors) == 1
    assert "script-src" in browser_errors[0]
    # Seen; clear it so the page fixture's own check passes.
    browser_errors.clear()
