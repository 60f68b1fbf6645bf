"""Broker self-registration: NPN + Tax ID, the emailed link, and finishing the account."""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from brokers import selectors
from brokers.forms.registration import RECORD_REFERENCE_SALT
from brokers.models import Broker, ContractingRecord
from brokers.services import STAFF_REGISTRATION_PURPOSE, broker_of_record_start, office_staff_add
from portal.accounts.models import RegistrationToken, Role, User
from portal.accounts.services import pending_user_create, registration_token_issue
from portal.activity.models import Activity
from tests.factories import (
    AgencyFactory,
    BrokerCodeFactory,
    BrokerFactory,
    ContractingRecordFactory,
    GroupFactory,
    LicenseFactory,
    UserFactory,
)

START = reverse("brokers:register")
SEND = reverse("brokers:register-send")
NEW_PASSWORD = "a-long-new-password-2026"
NOT_FOUND = "We could not find a contracting record with that NPN and Tax ID."


def lookup(client, record, tax_id=None):
    return client.post(START, {"npn": record.npn, "tax_id": tax_id or record.tax_id})


def reference_from(response):
    return re.search(r'name="record" value="([^"]+)"', response.content.decode()).group(1)


def send(client, record, django_capture_on_commit_callbacks):
    """Look the record up and press Send Email; the registration link from the email."""
    reference = reference_from(lookup(client, record))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND, {"record": reference})
    assert response.status_code == 200
    return response


def link_in(message):
    return re.search(r"http://\S+/brokers/register/complete/[^/\s]+/", message.body).group(0)


def path_of(link):
    return urlsplit(link).path


def code_for(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def completion_data(client, path, *, password=NEW_PASSWORD, code=None, terms=True):
    page = client.get(path)
    secret = page.context["totp_secret"]
    data = {"new_password1": password, "new_password2": password, "code": code or code_for(secret)}
    if terms:
        data["accept_terms"] = "on"
    return data


# Step 1: NPN and Tax ID.


def test_a_match_shows_the_record_with_the_email_masked(client, db):
    record = ContractingRecordFactory(
        email="jane.broker@agency.example", tax_id="123456789", states_appointed="CA,TX"
    )

    response = lookup(client, record, tax_id="12-3456789")

    content = response.content.decode()
    assert response.status_code == 200
    assert "j••••@agency.example" in content
    assert "jane.broker" not in content
    for shown in (
        record.last_name,
        record.first_name,
        record.npn,
        "CA,TX",
        "Active",
        "Aug 7, 2017",
    ):
        assert shown in content
    assert "Send Email" in content


@pytest.mark.parametrize("wrong", ["npn", "tax_id"])
def test_a_mismatch_says_the_same_thing_whichever_field_was_wrong(client, db, wrong):
    record = ContractingRecordFactory(tax_id="123456789")
    data = {"npn": record.npn, "tax_id": "123456789", wrong: "987654321"}

    response = client.post(START, data)

    assert response.status_code == 200
    assert NOT_FOUND in response.content.decode()
    assert "Send Email" not in response.content.decode()


@pytest.mark.parametrize(
    "status", [ContractingRecord.Status.INACTIVE, ContractingRecord.Status.TERMINATED]
)
def test_a_record_that_is_not_active_is_refused_with_the_broker_services_contact(
    client, db, settings, status
):
    record = ContractingRecordFactory(status=status)

    response = lookup(client, record)

    content = response.content.decode()
    assert response.status_code == 403
    assert "not active" in content
    assert settings.CARRIER["contacts"]["broker"][0]["phone"] in content
    assert "Send Email" not in content


def test_two_records_sharing_an_email_are_refused(client, db):
    record = ContractingRecordFactory(email="shared@agency.example")
    ContractingRecordFactory(email="SHARED@agency.example")

    response = lookup(client, record)

    assert response.status_code == 403
    assert "More than one contracting record" in response.content.decode()


def test_a_broker_who_has_an_account_is_told_to_sign_in(client, db):
    record = ContractingRecordFactory()
    BrokerFactory(npn=record.npn, user=UserFactory())

    response = lookup(client, record)

    assert response.status_code == 403
    assert "already registered" in response.content.decode()
    assert reverse("account_reset_password") in response.content.decode()


def test_an_active_user_with_the_records_email_is_told_to_sign_in(client, db):
    record = ContractingRecordFactory()
    UserFactory(email=record.email, role=Role.EMPLOYER_ADMIN)

    assert lookup(client, record).status_code == 403


def test_failed_lookups_are_limited_per_npn(client, db):
    record = ContractingRecordFactory(tax_id="123456789")
    for _ in range(5):
        assert lookup(client, record, tax_id="999999999").status_code == 200

    response = lookup(client, record)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_lookups_are_limited_per_address(client, db, settings):
    settings.BROKER_REGISTRATION_RATE_LIMITS = {
        "lookup": "3/10m/ip",
        "lookup_failed": "5/10m/key",
        "send": "10/h/ip",
    }
    records = ContractingRecordFactory.create_batch(4)
    for record in records[:3]:
        assert lookup(client, record).status_code == 200

    assert lookup(client, records[3]).status_code == 429


# Step 2: Send Email.


def test_send_email_mails_a_link_to_the_address_on_the_record(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    record = ContractingRecordFactory()

    response = send(client, record, django_capture_on_commit_callbacks)

    assert "Resend registration email" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == [record.email]
    assert "48 hours" in message.body
    token = RegistrationToken.objects.get(user__email=record.email)
    assert token.purpose == "broker"
    assert token.payload == {"contracting_record": record.pk}
    assert not token.user.has_usable_password()


def test_the_record_reference_cannot_be_swapped(client, db, mailoutbox):
    record = ContractingRecordFactory()
    other = ContractingRecordFactory()
    reference = reference_from(lookup(client, record))
    # The other record's value under this page's signature (the value is the first part).
    other_value = signing.dumps(other.pk, salt=RECORD_REFERENCE_SALT).split(":", 1)[0]
    forged = ":".join([other_value, reference.split(":", 1)[1]])
    assert forged != reference

    response = client.post(SEND, {"record": forged})

    assert "That page had expired" in response.content.decode()
    assert not RegistrationToken.objects.exists()


def test_resend_kills_the_old_link(client, db, mailoutbox, django_capture_on_commit_callbacks):
    record = ContractingRecordFactory()
    send(client, record, django_capture_on_commit_callbacks)
    reference = reference_from(lookup(client, record))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SEND, {"record": reference})

    first, second = (path_of(link_in(message)) for message in mailoutbox)

    old = client.get(first)
    assert old.status_code == 410
    assert "has been replaced" in old.content.decode()
    assert client.get(second).status_code == 200


# Step 3: the link.


def test_an_expired_link_says_how_to_get_a_new_one(client, db):
    user = pending_user_create(
        email="late@agency.example", first_name="Lee", last_name="Late", role=Role.BROKER
    )
    raw = registration_token_issue(user=user, purpose="broker", payload={"contracting_record": 0})
    RegistrationToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(reverse("brokers:register-complete", args=[raw]))

    assert response.status_code == 410
    content = response.content.decode()
    assert "has expired" in content
    assert reverse("brokers:register") in content


def test_an_unknown_or_tampered_link_is_not_valid(client, db):
    response = client.get(reverse("brokers:register-complete", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.fixture
def emailed_link(client, db, mailoutbox, django_capture_on_commit_callbacks):
    """A fresh registration link for a contracted broker whose Broker row carries their book."""
    record = ContractingRecordFactory(first_name="Jack", last_name="Nimble")
    broker = BrokerFactory(npn=record.npn, first_name="J", last_name="N")
    BrokerCodeFactory(broker=broker)
    LicenseFactory(broker=broker)
    group = GroupFactory()
    broker_of_record_start(group=group, broker=broker, start_date=datetime.date(2024, 1, 1))
    send(client, record, django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    mailoutbox.clear()
    return {"path": path_of(link_in(message)), "record": record, "broker": broker, "group": group}


def test_completing_links_the_broker_office_and_book(
    client, emailed_link, mailoutbox, django_capture_on_commit_callbacks
):
    path = emailed_link["path"]
    data = completion_data(client, path)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, data)

    assert response.status_code == 200
    assert "Your account is active" in response.content.decode()
    user = User.objects.get(email=emailed_link["record"].email)
    assert user.check_password(NEW_PASSWORD)
    assert user.terms_accepted_at is not None
    assert (user.first_name, user.last_name, user.role) == ("Jack", "Nimble", Role.BROKER)
    assert user.emailaddress_set.get().verified
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    broker = Broker.objects.get(pk=emailed_link["broker"].pk)
    assert broker.user == user
    assert user.groups.filter(pk=broker.office_id).exists()
    assert list(selectors.groups_for(user)) == [emailed_link["group"]]
    (message,) = mailoutbox
    assert message.to == [user.email]
    assert "active" in message.subject
    assert "http://" in message.body and reverse("brokers:sign-in") in message.body


def test_completing_a_broker_the_carrier_has_no_row_for_creates_one(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    agency = AgencyFactory(name="Nimble Insurance")
    record = ContractingRecordFactory(firm_name="NIMBLE INSURANCE")
    send(client, record, django_capture_on_commit_callbacks)
    path = path_of(link_in(mailoutbox[0]))

    client.post(path, completion_data(client, path))

    broker = Broker.objects.get(npn=record.npn)
    assert broker.agency == agency
    assert broker.user.email == record.email
    assert broker.tax_id == record.tax_id


def test_a_wrong_code_keeps_nothing_and_keeps_the_same_secret(client, emailed_link):
    path = emailed_link["path"]
    data = completion_data(client, path, code="000000")
    secret = client.get(path).context["totp_secret"]

    response = client.post(path, data)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert response.context["totp_secret"] == secret
    user = User.objects.get(email=emailed_link["record"].email)
    assert not user.has_usable_password()
    assert user.terms_accepted_at is None
    assert not Authenticator.objects.filter(user=user).exists()
    assert Broker.objects.get(pk=emailed_link["broker"].pk).user is None


def test_terms_must_be_accepted(client, emailed_link):
    path = emailed_link["path"]

    response = client.post(path, completion_data(client, path, terms=False))

    assert "Accept the Terms and Conditions" in response.content.decode()
    assert not User.objects.get(email=emailed_link["record"].email).has_usable_password()


def test_a_used_link_says_the_account_is_active(client, emailed_link):
    path = emailed_link["path"]
    client.post(path, completion_data(client, path))

    response = client.get(path)

    assert response.status_code == 410
    assert "has been used" in response.content.decode()


def test_a_record_deactivated_after_the_email_is_refused_at_the_link(client, emailed_link):
    ContractingRecord.objects.filter(pk=emailed_link["record"].pk).update(
        status=ContractingRecord.Status.INACTIVE
    )

    response = client.get(emailed_link["path"])

    assert response.status_code == 403
    assert "not active" in response.content.decode()


def test_the_completion_page_shows_the_secret_and_a_qr_code(client, emailed_link):
    response = client.get(emailed_link["path"])

    content = response.content.decode()
    secret = response.context["totp_secret"]
    assert f'<code id="totp-secret">{secret}</code>' in content
    assert 'src="data:image/svg+xml;base64,' in content
    for label in ("New password", "Confirm new password", "Authenticator code"):
        assert f">{label}" in content


# Office staff finish on the same page.


def test_office_staff_completion_tells_their_broker(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    broker = BrokerFactory(user=UserFactory(role=Role.BROKER))
    staff = pending_user_create(
        email="helper@agency.example", first_name="Hal", last_name="Helper", role=Role.BROKER_STAFF
    )
    office_staff_add(broker=broker, user=staff)
    raw = registration_token_issue(
        user=staff, purpose=STAFF_REGISTRATION_PURPOSE, payload={"broker": broker.pk}
    )
    path = reverse("brokers:register-complete", args=[raw])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, completion_data(client, path))

    assert "Your account is active" in response.content.decode()
    staff.refresh_from_db()
    assert staff.role == Role.BROKER_STAFF
    assert staff.check_password(NEW_PASSWORD)
    activity = Activity.objects.get(recipient=broker.user)
    assert activity.summary == "Hal Helper completed registration."
    assert {tuple(m.to) for m in mailoutbox} == {(broker.user.email,), (staff.email,)}


def test_an_expired_staff_link_says_to_ask_the_broker(client, db):
    staff = pending_user_create(
        email="slow@agency.example", first_name="S", last_name="Low", role=Role.BROKER_STAFF
    )
    raw = registration_token_issue(
        user=staff, purpose=STAFF_REGISTRATION_PURPOSE, payload={"broker": 0}
    )
    RegistrationToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get(reverse("brokers:register-complete", args=[raw]))

    assert "Ask the broker" in response.content.decode()
