"""Registration links: one-time, 48 hours, a new one kills the old, and only a digest is kept."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.utils import timezone

from portal.accounts.models import RegistrationToken, Role, UserStatus
from portal.accounts.services import (
    RegistrationLinkError,
    pending_user_create,
    registration_complete,
    registration_token_check,
    registration_token_issue,
)

PURPOSES = ["broker"]


@pytest.fixture
def pending(db):
    return pending_user_create(
        email="New.Broker@Example.com", first_name="Ana", last_name="Reyes", role=Role.BROKER
    )


def _reason(raw):
    with pytest.raises(RegistrationLinkError) as caught:
        registration_token_check(raw, purposes=PURPOSES)
    return caught.value.reason


def test_a_pending_user_has_no_password_and_an_unverified_address(pending):
    assert pending.email == "new.broker@example.com"
    assert pending.status == UserStatus.PENDING
    assert not EmailAddress.objects.get(user=pending).verified


def test_only_a_digest_of_the_token_is_stored(pending):
    raw = registration_token_issue(user=pending, purpose="broker")
    stored = RegistrationToken.objects.get(user=pending)
    assert raw not in stored.digest
    assert registration_token_check(raw, purposes=PURPOSES) == stored


def test_a_link_lasts_48_hours(pending):
    raw = registration_token_issue(user=pending, purpose="broker")
    token = RegistrationToken.objects.get(user=pending)
    assert abs(token.expires_at - token.created_at - timedelta(hours=48)) < timedelta(seconds=1)
    RegistrationToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert _reason(raw) == RegistrationLinkError.EXPIRED


def test_a_new_link_kills_the_old_one(pending):
    old = registration_token_issue(user=pending, purpose="broker")
    new = registration_token_issue(user=pending, purpose="broker")
    assert _reason(old) == RegistrationLinkError.REPLACED
    assert registration_token_check(new, purposes=PURPOSES)


def test_tampered_and_other_purpose_links_are_unknown(pending):
    raw = registration_token_issue(user=pending, purpose="broker")
    assert _reason(raw[:-1] + ("A" if raw[-1] != "A" else "B")) == RegistrationLinkError.UNKNOWN
    with pytest.raises(RegistrationLinkError):
        registration_token_check(raw, purposes=["broker_staff"])


def test_completing_sets_everything_and_the_link_works_once(pending):
    raw = registration_token_issue(user=pending, purpose="broker")
    token = registration_token_check(raw, purposes=PURPOSES)

    user = registration_complete(
        token=token, password="a long passphrase 2026", totp_secret=generate_totp_secret()
    )

    assert user.check_password("a long passphrase 2026")
    assert user.status == UserStatus.ACTIVE
    assert user.terms_accepted_at is not None
    assert EmailAddress.objects.get(user=user).verified
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    assert _reason(raw) == RegistrationLinkError.USED
    with pytest.raises(RegistrationLinkError):
        registration_complete(token=token, password="another one 2026!", totp_secret="X")
