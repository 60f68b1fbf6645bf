"""The broker's front door: the sign-in page, lockout and unlock, and "Forgot your username?"."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.accounts.services import LOCKOUT_THRESHOLD
from tests.factories import PASSWORD, BrokerFactory

WRONG_PASSWORD = "not-the-password-2026"
NEW_PASSWORD = "a-brand-new-pass-phrase"


def _sign_in(client, email, password=PASSWORD):
    return client.post(reverse("brokers:sign-in"), {"login": email, "password": password})


def _forgot(client, npn, tax_id):
    return client.post(reverse("brokers:forgot-username"), {"npn": npn, "tax_id": tax_id})


def _without_nonce(response):
    # The CSP nonce is new on every response; everything else must match byte for byte.
    return re.sub(rb'nonce="[^"]*"', b"", response.content)


def test_sign_in_page_lists_the_features_and_the_ways_in(client, db):
    response = client.get(reverse("brokers:sign-in"))

    assert response.status_code == 200
    html = response.content.decode()
    for feature in (
        "Check the eligibility of a client",
        "application status",
        "book of business",
        "commission statements",
        "Control website access for your office",
    ):
        assert feature in html
    assert "Your username is your email address." in html
    assert f'href="{reverse("account_reset_password")}">Forgot Password / Unlock Account' in html
    assert f'href="{reverse("brokers:forgot-username")}">Forgot your username?' in html
    assert f'href="{reverse("brokers:register")}">Register now' in html


def test_a_broker_signs_in_and_lands_on_the_broker_home(cast, client):
    response = _sign_in(client, "broker@demo.test")

    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("brokers:home")
    assert client.get(reverse("brokers:home")).status_code == 200


def test_a_signed_in_user_is_sent_on_from_the_sign_in_page(cast, client):
    client.force_login(cast.broker)

    assert client.get(reverse("brokers:sign-in")).status_code == 302


def test_wrong_password_shows_the_error_on_the_broker_page(cast, client):
    response = _sign_in(client, "broker@demo.test", WRONG_PASSWORD)

    assert response.status_code == 200
    assert "brokers/sign_in.html" in [t.name for t in response.templates]
    assert response.context["form"].non_field_errors()


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(cast, client):
    for _ in range(LOCKOUT_THRESHOLD):
        _sign_in(client, "broker@demo.test", WRONG_PASSWORD)
    cast.broker.refresh_from_db()
    assert cast.broker.locked_at is not None
    # allauth's own rate limit also stops a sixth try for five minutes; the lock outlasts it.
    cache.clear()

    response = _sign_in(client, "broker@demo.test")

    assert response.status_code == 403
    assert "account/account_locked.html" in [t.name for t in response.templates]
    assert b"Forgot Password / Unlock Account" in response.content
    assert "_auth_user_id" not in client.session


def test_a_password_reset_unlocks_the_account(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(LOCKOUT_THRESHOLD):
        _sign_in(client, "broker@demo.test", WRONG_PASSWORD)
    cache.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "broker@demo.test"})
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mailoutbox[0].body)[0]
    set_password_page = client.get(urlsplit(link).path)
    response = client.post(
        set_password_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    cast.broker.refresh_from_db()
    assert cast.broker.locked_at is None
    assert cast.broker.failed_login_count == 0
    assert _sign_in(client, "broker@demo.test", NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(cast.broker.pk)


def test_forgot_username_emails_the_username_of_a_matching_broker(
    cast, client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    broker = cast.broker.broker

    with django_capture_on_commit_callbacks(execute=True):
        response = _forgot(client, broker.npn, "123-45-6789")

    assert response.status_code == 200
    assert b"Check your email" in response.content
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["broker@demo.test"]
    assert "broker@demo.test" in message.body
    assert "https://portal.example/brokers/sign-in/" in message.body
    assert "https://portal.example/accounts/password/reset/" in message.body


@pytest.mark.parametrize("tax_id", ["123456789", "12-3456789", "123-45-6789"])
def test_the_tax_id_may_be_written_with_or_without_the_dash(
    tax_id, cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _forgot(client, cast.broker.broker.npn, tax_id)

    assert [m.to for m in mailoutbox] == [["broker@demo.test"]]


def test_forgot_username_answers_the_same_when_nothing_matches(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    unregistered = BrokerFactory(tax_id="987654321")
    with django_capture_on_commit_callbacks(execute=True):
        matched = _forgot(client, cast.broker.broker.npn, "123456789")
        wrong_tax_id = _forgot(client, cast.broker.broker.npn, "111111111")
        unknown_npn = _forgot(client, "99999999", "123456789")
        not_registered = _forgot(client, unregistered.npn, "987654321")

    assert len(mailoutbox) == 1
    assert matched.status_code == wrong_tax_id.status_code == 200
    assert unknown_npn.status_code == not_registered.status_code == 200
    assert (
        _without_nonce(matched)
        == _without_nonce(wrong_tax_id)
        == _without_nonce(unknown_npn)
        == _without_nonce(not_registered)
    )


def test_forgot_username_checks_the_form_before_anything_else(cast, client, mailoutbox):
    response = _forgot(client, "12AB", "12345")

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"npn", "tax_id"}
    assert not mailoutbox


def test_forgot_username_is_rate_limited_per_address(cast, client, mailoutbox):
    # Five tries from one address in 15 minutes; different NPNs, so the per-NPN limit is not it.
    for npn in range(1000, 1005):
        assert _forgot(client, str(npn), "123456789").status_code == 200

    response = _forgot(client, cast.broker.broker.npn, "123456789")

    assert response.status_code == 429
    assert b"too many times" in response.content
    assert not mailoutbox


def test_forgot_username_is_rate_limited_per_npn(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    npn = cast.broker.broker.npn
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
            response = client.post(
                reverse("brokers:forgot-username"),
                {"npn": npn, "tax_id": "123456789"},
                REMOTE_ADDR=address,
            )

    # Three reminders an hour reach one broker's mailbox, whoever asks for them.
    assert response.status_code == 429
    assert len(mailoutbox) == 3


def test_a_signed_in_user_has_no_username_to_forget(cast, client):
    client.force_login(cast.broker)

    response = client.get(reverse("brokers:forgot-username"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
