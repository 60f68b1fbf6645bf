"""What the browser tests do on a page: sign in, complete a registration, and check it with
axe-core."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.factories import PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


def log_in(page, email, password=PASSWORD):
    """Sign in through the real login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def assert_accessible(page, axe_source, *, disable_rules=()):
    """Run axe-core on the current page; fail on any serious or critical violation."""
    # evaluate() is not subject to the page's CSP, which a <script> tag would be.
    page.evaluate(axe_source)
    results = page.evaluate(
        "options => axe.run(document, options)",
        {
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "resultTypes": ["violations"],
            "rules": {rule: {"enabled": False} for rule in disable_rules},
        },
    )
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core found on {page.url}:\n{describe(blocking)}"


def describe(violations):
    """axe-core's violations as lines a person can act on: rule, where, and how to fix."""
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def totp_code(secret):
    """The authenticator code an app would show for `secret` now.

    Waits out the last seconds of a 30-second period, so the code is still current when the
    server checks it.
    """
    if 30 - time.time() % 30 < 3:
        time.sleep(3)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def complete_registration(page, password):
    """Fill in the registration completion page the browser is on and submit it.

    Sets the password, accepts the terms, reads the TOTP secret the page shows (as a person
    would type it into an authenticator app) and enters the current code. Returns the secret,
    for the first sign-in's two-step code.
    """
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_label("I accept the Terms and Conditions").check()
    secret = "".join(page.locator("#totp-secret").inner_text().split())
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Complete registration").click()
    page.wait_for_load_state()
    return secret


def log_in_with_code(page, email, password, secret):
    """Sign in as a user with an authenticator: the password, then the app's current code."""
    log_in(page, email, password)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
