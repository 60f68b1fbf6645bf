import time

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from portal.accounts.middleware import SESSION_STARTED_KEY
from tests.factories import PASSWORD


def test_idle_sessions_end_after_fifteen_minutes(settings, cast, client):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(cast.broker)
    client.get("/brokers/")
    assert client.session.get_expiry_age() == 15 * 60


def test_sessions_end_at_the_absolute_cap_however_active(settings, cast, client):
    client.force_login(cast.broker)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - (settings.SESSION_ABSOLUTE_HOURS * 3600 + 1)
    session.save()
    response = client.get("/brokers/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_poll_at_the_absolute_cap_sends_the_whole_page_to_the_login(settings, cast, client):
    client.force_login(cast.broker)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - (settings.SESSION_ABSOLUTE_HOURS * 3600 + 1)
    session.save()
    response = client.get("/jobs/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("account_login")


def test_required_mfa_sends_a_user_without_it_to_enrol(settings, cast, client):
    settings.PORTAL_REQUIRE_MFA = True
    client.post(reverse("account_login"), {"login": "broker@demo.test", "password": PASSWORD})
    response = client.get("/brokers/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a second factor is added or changed.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    enrol = client.get(reverse("mfa_activate_totp"))
    assert enrol.status_code == 200
    assert b"svg" in enrol.content  # the QR code to scan


def test_required_mfa_covers_the_admin(settings, cast, client):
    settings.PORTAL_REQUIRE_MFA = True
    client.force_login(cast.ops)
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_a_user_with_a_second_factor_goes_through(settings, cast, client):
    settings.PORTAL_REQUIRE_MFA = True
    TOTP.activate(cast.broker, generate_totp_secret())
    client.force_login(cast.broker)
    assert client.get("/brokers/").status_code == 200


def test_mfa_is_optional_in_the_demo(cast, client):
    client.force_login(cast.broker)
    assert client.get("/brokers/").status_code == 200


def test_totp_secrets_are_stored_encrypted(cast):
    secret = generate_totp_secret()
    TOTP.activate(cast.broker, secret)
    stored = Authenticator.objects.get(user=cast.broker, type=Authenticator.Type.TOTP).data[
        "secret"
    ]
    assert secret not in stored
    assert get_adapter().decrypt(stored) == secret


def test_a_poll_after_the_session_ended_sends_the_whole_page_to_the_login(client, db):
    response = client.get(
        "/jobs/1/status",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/jobs/1/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/jobs/1/"
    assert response.content == b""


def test_an_ordinary_request_without_a_session_is_redirected_to_the_login(client, db):
    response = client.get("/jobs/1/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/jobs/1/"


def _sign_in_with_password(client):
    return client.post(
        reverse("account_login"), {"login": "broker@demo.test", "password": PASSWORD}
    )


def test_a_user_with_totp_gives_a_code_at_sign_in(cast, client):
    secret = generate_totp_secret()
    TOTP.activate(cast.broker, secret)

    response = _sign_in_with_password(client)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session

    counter = next(yield_hotp_counters_from_time())
    client.post(
        reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(secret, counter))}
    )
    assert client.get("/brokers/").status_code == 200


def test_a_recovery_code_works_once(cast, client):
    TOTP.activate(cast.broker, generate_totp_secret())
    code = RecoveryCodes.activate(cast.broker).get_unused_codes()[0]

    _sign_in_with_password(client)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get("/brokers/").status_code == 200

    client.post(reverse("account_logout"))
    _sign_in_with_password(client)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" not in client.session
