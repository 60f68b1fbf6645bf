"""Employer registration: group number, policyholder ID and the registration key ops emailed the
primary client administrator; then password, terms and a second factor."""

import datetime
import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from employers import services
from employers.models import EmployerAdmin, EmployerRegistrationKey
from portal.accounts.models import Role, User, UserStatus
from portal.audit.models import AuditEvent
from tests.factories import EmployerFactory, GroupFactory, ParentGroupFactory, UserFactory

START = reverse("employers:register")
NEW_PASSWORD = "a-long-new-password-2026"
NO_MATCH = "We could not match that group number, policyholder ID and registration key."
KEY = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture
def group(db):
    """A suffix of an employer whose policyholder ID is short enough to need padding."""
    employer = EmployerFactory(policyholder_id="000001234")
    return GroupFactory(parent=ParentGroupFactory(employer=employer, number="P77001"))


@pytest.fixture
def issued(group, mailoutbox, django_capture_on_commit_callbacks):
    """The key ops issued to the future primary administrator, read from the email."""
    with django_capture_on_commit_callbacks(execute=True):
        services.employer_registration_key_issue(
            employer=group.parent.employer,
            email="Pat.Primary@Employer.example",
            first_name="Pat",
            last_name="Primary",
            by=None,
        )
    [mail] = mailoutbox
    return KEY.search(mail.body).group(1)


def lookup(client, group, key, *, group_number=None, policyholder_id="1234"):
    return client.post(
        START,
        {
            "group_number": group_number or group.number,
            "policyholder_id": policyholder_id,
            "registration_key": key,
        },
    )


def code_for(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def completion_data(client, path, *, code=None, terms=True):
    secret = client.get(path).context["totp_secret"]
    data = {
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        "code": code or code_for(secret),
    }
    if terms:
        data["accept_terms"] = "on"
    return data


def test_the_key_email_goes_to_the_primary_administrator_and_only_a_digest_is_kept(
    group, issued, mailoutbox
):
    [mail] = mailoutbox
    assert mail.to == ["pat.primary@employer.example"]
    assert reverse("employers:register") in mail.body
    key = EmployerRegistrationKey.objects.get()
    assert key.digest == services.registration_key_digest(issued)
    assert issued.replace("-", "") not in key.digest
    assert key.expires_at - timezone.now() > datetime.timedelta(days=13)


def test_a_match_with_a_short_policyholder_id_goes_on_to_completion(client, group, issued):
    # The policyholder ID typed as 1234 is 000001234; the key's dashes and case don't matter.
    response = lookup(client, group, issued.lower().replace("-", " "), policyholder_id="1234")

    assert response.status_code == 302
    assert response["Location"].startswith("/employers/register/complete/")
    user = User.objects.get(email="pat.primary@employer.example")
    assert user.status == UserStatus.PENDING
    assert user.role == Role.EMPLOYER_ADMIN


def test_the_parent_group_number_matches_too(client, group, issued):
    response = lookup(client, group, issued, group_number=group.parent.number.lower())
    assert response.status_code == 302


@pytest.mark.parametrize("wrong", ["group", "policyholder", "key"])
def test_a_mismatch_says_the_same_thing_whichever_field_was_wrong(client, group, issued, wrong):
    other = GroupFactory()
    response = lookup(
        client,
        group,
        "ABCD-EFGH-JKLM" if wrong == "key" else issued,
        group_number=other.number if wrong == "group" else None,
        policyholder_id="999" if wrong == "policyholder" else "1234",
    )

    assert response.status_code == 200
    assert NO_MATCH in response.text
    assert 'role="alert"' in response.text
    assert not User.objects.filter(email="pat.primary@employer.example").exists()


def test_bad_input_is_a_form_error(client, group):
    response = client.post(
        START, {"group_number": "", "policyholder_id": "12ab", "registration_key": "short"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"group_number", "policyholder_id", "registration_key"}


def test_failed_lookups_are_limited_per_policyholder_id(client, group, issued):
    for _ in range(5):
        assert NO_MATCH in lookup(client, group, "ABCD-EFGH-JKLM").text
    # Even the right key is refused now, from any address.
    response = lookup(client, group, issued, policyholder_id="000001234")
    assert response.status_code == 429


def test_lookups_are_limited_per_address(client, group, issued, settings):
    settings.EMPLOYER_REGISTRATION_RATE_LIMITS = {"lookup": "3/10m/ip", "lookup_failed": "50/m/key"}
    for _ in range(3):
        lookup(client, group, "ABCD-EFGH-JKLM")
    assert lookup(client, group, issued).status_code == 429


def test_completing_makes_the_primary_administrator_and_uses_the_key_up(
    client, group, issued, mailoutbox, django_capture_on_commit_callbacks
):
    path = lookup(client, group, issued)["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, completion_data(client, path))

    assert response.status_code == 200
    assert "Your account is active" in response.text
    user = User.objects.get(email="pat.primary@employer.example")
    assert user.check_password(NEW_PASSWORD)
    assert user.terms_accepted_at is not None
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    admin = EmployerAdmin.objects.get(user=user)
    assert admin.level == EmployerAdmin.Level.PRIMARY
    assert admin.employer == group.parent.employer
    assert (user.first_name, user.last_name) == ("Pat", "Primary")
    assert user.has_perm("enrollment.pay_bill", group)
    key = EmployerRegistrationKey.objects.get()
    assert key.used_at is not None and key.registered_user == user
    assert mailoutbox[-1].subject.endswith("employer portal account is active")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, object_id=str(user.pk))
    # The key works once.
    again = lookup(client, group, issued)
    assert again.status_code == 403
    assert "already registered" in again.text


def test_a_wrong_code_or_missing_terms_keeps_nothing(client, group, issued):
    path = lookup(client, group, issued)["Location"]

    wrong_code = client.post(path, completion_data(client, path, code="000000"))
    no_terms = client.post(path, completion_data(client, path, terms=False))

    assert "That code is not right" in wrong_code.text
    assert "Accept the Terms and Conditions to register." in no_terms.text
    assert not EmployerAdmin.objects.exists()
    assert EmployerRegistrationKey.objects.get().used_at is None


def test_an_expired_key_says_so(client, group, issued):
    EmployerRegistrationKey.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    response = lookup(client, group, issued)
    assert response.status_code == 403
    assert "This registration key has expired" in response.text


def test_a_new_key_replaces_the_old(client, group, issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.employer_registration_key_issue(
            employer=group.parent.employer,
            email="pat.primary@employer.example",
            first_name="Pat",
            last_name="Primary",
            by=None,
        )
    response = lookup(client, group, issued)
    assert response.status_code == 403
    assert "has been replaced" in response.text


def test_a_key_is_refused_while_the_employer_has_a_primary(cast):
    employer = cast.employer_groups[0].parent.employer
    with pytest.raises(ValidationError, match="already has a primary client administrator"):
        services.employer_registration_key_issue(
            employer=employer, email="new@employer.example", first_name="A", last_name="B", by=None
        )


def test_a_key_is_refused_for_an_address_a_user_has(group):
    UserFactory(email="taken@employer.example")
    with pytest.raises(ValidationError, match="already exists"):
        services.employer_registration_key_issue(
            employer=group.parent.employer,
            email="TAKEN@employer.example",
            first_name="A",
            last_name="B",
            by=None,
        )


def test_a_primary_made_meanwhile_stops_the_registration(client, group, issued):
    path = lookup(client, group, issued)["Location"]
    data = completion_data(client, path)
    someone = UserFactory(role=Role.EMPLOYER_ADMIN)
    EmployerAdmin.objects.create(
        user=someone, employer=group.parent.employer, level=EmployerAdmin.Level.PRIMARY
    )

    response = client.post(path, data)

    assert response.status_code == 403
    assert "already has a primary client administrator" in response.text
    pending = User.objects.get(email="pat.primary@employer.example")
    assert pending.status == UserStatus.PENDING


def test_an_unknown_link_is_not_valid(client, db):
    response = client.get(reverse("employers:register-complete", args=["no-such-token"]))
    assert response.status_code == 404
    assert "This registration link is not valid" in response.text


def test_the_sign_in_page_links_to_registration(client, db):
    html = client.get(reverse("employers:sign-in")).text
    assert f'href="{START}"' in html
    assert 'href="#register">Register now</a>' in html


def test_ops_issue_a_key_in_the_admin(
    cast, client, group, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.ops)
    add = reverse("admin:employers_employerregistrationkey_add")
    assert client.get(add).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            add,
            {
                "employer": group.parent.employer.pk,
                "email": "pat@employer.example",
                "first_name": "Pat",
                "last_name": "Primary",
            },
        )

    assert response.status_code == 302
    key = EmployerRegistrationKey.objects.get()
    assert key.issued_by == cast.ops
    [mail] = mailoutbox
    assert KEY.search(mail.body)
    assert AuditEvent.objects.filter(user=cast.ops, object_type="employers.EmployerRegistrationKey")


def test_the_admin_refuses_a_key_for_an_employer_with_a_primary(cast, client):
    client.force_login(cast.ops)
    response = client.post(
        reverse("admin:employers_employerregistrationkey_add"),
        {
            "employer": cast.employer_groups[0].parent.employer.pk,
            "email": "pat@employer.example",
            "first_name": "Pat",
            "last_name": "Primary",
        },
    )
    assert response.status_code == 200
    assert "already has a primary client administrator" in response.text
    assert not EmployerRegistrationKey.objects.exists()


def test_the_admin_revokes_keys(cast, client, group, issued):
    client.force_login(cast.ops)
    key = EmployerRegistrationKey.objects.get()
    client.post(
        reverse("admin:employers_employerregistrationkey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert EmployerRegistrationKey in admin_site._registry


def test_the_admin_sends_a_new_key_and_the_old_one_stops_working(
    cast, client, group, issued, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.ops)
    old = EmployerRegistrationKey.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:employers_employerregistrationkey_changelist"),
            {"action": "send_new_key", "_selected_action": [old.pk]},
        )

    old.refresh_from_db()
    assert old.revoked_at is not None
    new_key = KEY.search(mailoutbox[-1].body).group(1)
    assert new_key != issued
    assert lookup(client, group, new_key).status_code == 302


def test_an_address_registered_meanwhile_is_refused(client, group, issued):
    UserFactory(email="pat.primary@employer.example", role=Role.BROKER)
    response = lookup(client, group, issued)
    assert response.status_code == 403
    assert "already registered" in response.text
