"""Provider registration: the public wizard, the matching rules, transaction IDs, the emails,
finishing the account from the link, and provider relations' queue in the admin."""

import datetime
import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import RegistrationToken, Role, User
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from portal.business_days import business_days_after
from providers import registration
from providers.models import ProviderOrganization, ProviderUser, RegistrationRequest, TaxId
from providers.registration import Outcome
from tests import factories as f

Org = ProviderOrganization
Status = RegistrationRequest.Status
NEW_PASSWORD = "rowan-family-passphrase-2026"
LINK = re.compile(r"https?://\S+/providers/register/complete/[\w-]+/")
TRANSACTION_ID = re.compile(r"\bPR-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")


@pytest.fixture
def office(db):
    """A one-physician office nobody has registered for: Dr. Casey Rowan, participating, on
    Tax ID 98-1234567."""
    org = f.ProviderOrganizationFactory(
        name="Rowan Family Medicine", org_type=Org.OrgType.PHYSICIAN
    )
    tax_id = f.TaxIdFactory(organization=org, number="981234567", name="Rowan Family Medicine")
    practitioner = f.PractitionerFactory(
        organization=org,
        first_name="Casey",
        last_name="Rowan",
        npi="9000001234",
        license_state="CA",
        license_number="A123456",
    )
    practitioner.tax_ids.add(tax_id)
    return tax_id, practitioner


SOLO = {
    "first_name": "Casey",
    "last_name": "Rowan",
    "email": "casey.rowan@rowan.example",
    "phone": "(916) 555-0142",
    "organization_name": "Rowan Family Medicine",
    "tax_id_number": "98-1234567",
    "npi": "9000001234",
    "license_state": "ca",
    "license_number": "a123456",
}
GROUP = {
    "first_name": "Jamie",
    "last_name": "Park",
    "email": "jamie.park@lakeview.example",
    "phone": "916-555-0177",
    "organization_name": "Lakeview Medical Group",
    "tax_id_number": "97-7654321",
    "npi": "",
}


def walk(
    client, *, account_type="physician", user_type="solo", details=SOLO, regions=("northern",)
):
    """Go through the wizard as a person would; returns the details step's response."""
    assert client.post(reverse("providers:register"), {"agree": "on"}).status_code == 302
    assert (
        client.post(reverse("providers:register-regions"), {"regions": list(regions)}).status_code
        == 302
    )
    response = client.post(
        reverse("providers:register-account-type"), {"account_type": account_type}
    )
    assert response.status_code == 302
    if account_type == "physician":
        assert response["Location"] == reverse("providers:register-user-type")
        client.post(reverse("providers:register-user-type"), {"user_type": user_type})
    else:
        # Organisations register their delegated administrator: no user type to choose.
        assert response["Location"] == reverse("providers:register-details")
    return client.post(reverse("providers:register-details"), details)


def sent(mailoutbox, to):
    return [m for m in mailoutbox if m.to == [to]]


def completion_link(mail):
    path = LINK.search(mail.body).group(0)
    return path[path.index("/providers/") :]


def code_for(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def completion_data(client, path, *, password2=NEW_PASSWORD):
    secret = client.get(path).context["totp_secret"]
    return {
        "new_password1": NEW_PASSWORD,
        "new_password2": password2,
        "code": code_for(secret),
        "accept_terms": "on",
    }


# The matching rules ----------------------------------------------------------------------


def assess(**overrides):
    values = {
        "account_type": "physician",
        "user_type": "solo",
        "tax_id_number": "981234567",
        "npi": "9000001234",
        "license_state": "CA",
        "license_number": "A123456",
        **overrides,
    }
    return registration.registration_assess(**values)


def test_a_solo_practitioner_matching_license_npi_and_tax_id_gets_access_at_once(office):
    result = assess(license_number="a123456")
    assert result.outcome == Outcome.INSTANT
    assert (result.tax_id, result.practitioner) == office


@pytest.mark.parametrize(
    "overrides",
    [
        {"tax_id_number": "970000001"},  # a Tax ID not on file
        {"npi": "9000009999"},  # the license's practitioner has another NPI
        {"user_type": "delegated_admin"},  # delegated administrators are always verified
    ],
)
def test_a_mismatch_or_a_delegated_administrator_is_verified(office, overrides):
    assert assess(**overrides).outcome == Outcome.VERIFY


def test_a_tax_id_the_practitioner_does_not_bill_under_is_verified(office):
    f.TaxIdFactory(number="970000002")
    assert assess(tax_id_number="970000002").outcome == Outcome.VERIFY


def test_an_office_that_already_has_users_is_verified(office):
    tax_id, _ = office
    f.ProviderUserFactory(organization=tax_id.organization)
    assert assess().outcome == Outcome.VERIFY


def test_an_office_awaiting_approval_is_verified(office):
    tax_id, _ = office
    Org.objects.filter(pk=tax_id.organization_id).update(status=Org.Status.PENDING)
    assert assess().outcome == Outcome.VERIFY


def test_a_non_participating_or_unknown_license_cannot_register(office):
    _, practitioner = office
    assert assess(license_number="Z999999").outcome == Outcome.NOT_PARTICIPATING
    # A delegated administrator with a license not on file is left to provider relations.
    assert assess(license_number="Z999999", user_type="delegated_admin").outcome == Outcome.VERIFY
    practitioner.is_participating = False
    practitioner.save(update_fields=["is_participating"])
    assert assess().outcome == Outcome.NOT_PARTICIPATING
    assert assess(user_type="delegated_admin").outcome == Outcome.NOT_PARTICIPATING


def test_an_organisation_is_verified_unless_its_tax_id_has_only_non_participating_providers(
    office,
):
    tax_id, practitioner = office
    assert assess(account_type="medical_group", tax_id_number="970000001").outcome == (
        Outcome.VERIFY
    )
    assert assess(account_type="hospital").outcome == Outcome.VERIFY
    practitioner.is_participating = False
    practitioner.save(update_fields=["is_participating"])
    assert assess(account_type="hospital").outcome == Outcome.NOT_PARTICIPATING


def test_transaction_ids_are_readable_and_unique(db, monkeypatch):
    ids = {registration.transaction_id_new() for _ in range(300)}
    assert len(ids) == 300
    assert all(TRANSACTION_ID.fullmatch(i) for i in ids)

    # A drawn ID already in use is drawn again.
    f_request = RegistrationRequest.objects.create(
        transaction_id="PR-AAAA-AAAA",
        account_type="hospital",
        user_type="delegated_admin",
        organization_name="X",
        tax_id_number="970000001",
        first_name="A",
        last_name="B",
        email="a@b.example",
        phone="916-555-0100",
        terms_accepted_at=timezone.now(),
    )
    draws = iter("A" * 8 + "B" * 8)
    monkeypatch.setattr(registration.secrets, "choice", lambda alphabet: next(draws))
    assert registration.transaction_id_new() == "PR-BBBB-BBBB"
    assert f_request.transaction_id == "PR-AAAA-AAAA"


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        ("2026-11-23", "2026-11-25"),  # Monday -> Wednesday
        ("2026-11-25", "2026-11-30"),  # Wednesday -> Monday, over Thanksgiving
        ("2026-11-26", "2026-11-30"),  # Thursday (Thanksgiving) -> Monday
        ("2026-11-27", "2026-12-01"),  # Friday -> Tuesday
        ("2026-11-28", "2026-12-01"),  # Saturday -> Tuesday
        ("2026-11-29", "2026-12-01"),  # Sunday -> Tuesday
    ],
)
def test_the_target_is_two_business_days_skipping_weekends_and_holidays(submitted, due):
    day = datetime.date.fromisoformat(submitted)
    assert business_days_after(day, 2) == datetime.date.fromisoformat(due)


# The wizard ---------------------------------------------------------------------------------


def test_a_matching_solo_practitioner_gets_their_account_and_a_link_at_once(
    client, office, mailoutbox, django_capture_on_commit_callbacks
):
    tax_id, practitioner = office

    with django_capture_on_commit_callbacks(execute=True):
        response = walk(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("providers:register-submitted")
    page = client.get(response["Location"])
    assert "Check your email" in page.text
    found = RegistrationRequest.objects.get()
    assert found.status == Status.APPROVED
    assert found.decided_by is None and found.decided_at is not None
    assert (found.matched_tax_id, found.matched_practitioner) == (tax_id, practitioner)
    assert (found.license_state, found.license_number, found.tax_id_number) == (
        "CA",
        "A123456",
        "981234567",
    )
    assert found.regions == ["northern"]
    user = User.objects.get(email="casey.rowan@rowan.example")
    assert found.user == user
    assert user.role == Role.PROVIDER_USER and not user.has_usable_password()
    profile = ProviderUser.objects.get(user=user)
    assert profile.organization == tax_id.organization and profile.is_delegated_admin
    for perm in ("check_eligibility", "inquire_claims", "check_authorizations"):
        assert user.has_perm(f"providers.{perm}", tax_id)
    [mail] = sent(mailoutbox, "casey.rowan@rowan.example")
    assert found.transaction_id in mail.subject and found.transaction_id in mail.body
    html, mime = mail.alternatives[0]
    assert mime == "text/html" and completion_link(mail) in html
    # The wizard's choices are gone: a new registration starts again at the terms.
    assert client.get(reverse("providers:register-details"))["Location"] == reverse(
        "providers:register"
    )


def test_a_medical_group_files_a_request_with_a_printable_transaction_id(
    client, office, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = walk(client, account_type="medical_group", details=GROUP)

    found = RegistrationRequest.objects.get()
    assert found.status == Status.PENDING
    assert found.user_type == "delegated_admin"
    assert found.matched_tax_id is None
    assert TRANSACTION_ID.fullmatch(found.transaction_id)
    page = client.get(response["Location"])
    assert "Request received" in page.text
    assert found.transaction_id in page.text
    assert "data-print" in page.text and "print-button.js" in page.text
    assert page.context["due_on"] == registration.registration_due_on(found)
    assert not User.objects.filter(email=GROUP["email"]).exists()
    [mail] = sent(mailoutbox, GROUP["email"])
    assert found.transaction_id in mail.body and found.transaction_id in mail.alternatives[0][0]
    assert "two business days" not in mail.body  # the figure comes from the carrier file
    assert "2 business days" in mail.body


def test_a_physicians_delegated_administrator_and_a_mismatch_wait_for_verification(client, office):
    walk(client, user_type="delegated_admin", details={**SOLO, "email": "office@rowan.example"})
    walk(client, details={**SOLO, "tax_id_number": "970000001"})

    assert list(RegistrationRequest.objects.values_list("status", "user_type")) == [
        (Status.PENDING, "delegated_admin"),
        (Status.PENDING, "solo"),
    ]
    assert not ProviderUser.objects.exists()


def test_a_non_participating_provider_is_told_how_to_apply_and_nothing_is_saved(
    client, office, settings, mailoutbox
):
    response = walk(client, details={**SOLO, "license_number": "Z999999"})

    assert response.status_code == 403
    assert "Registration is for participating providers" in response.text
    join = settings.CARRIER["provider_registration"]["participation"]
    assert join["url"] in response.text and join["phone"] in response.text
    assert not RegistrationRequest.objects.exists()
    assert not User.objects.exists()
    assert not mailoutbox
    # Back to the details, with the wizard's choices kept.
    assert client.get(reverse("providers:register-details")).status_code == 200


def test_an_email_address_in_use_is_a_form_error_and_nothing_is_saved(client, office):
    f.UserFactory(email="casey.rowan@rowan.example")

    response = walk(client)

    assert response.status_code == 200
    assert "already has an account" in response.text
    assert not RegistrationRequest.objects.exists()
    assert not ProviderUser.objects.exists()


def test_an_address_taken_a_moment_earlier_saves_nothing(client, office, monkeypatch):
    # A double click: the check passed for both, and the first created the account.
    f.UserFactory(email="casey.rowan@rowan.example")
    monkeypatch.setattr(registration, "registration_email_in_use", lambda email: False)

    response = walk(client)

    assert response.status_code == 200
    assert "already has an account" in response.text
    assert not RegistrationRequest.objects.exists()
    assert not ProviderUser.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tax_id_number", "12-345", "Enter the nine digits of your Tax ID."),
        ("npi", "123", "Enter the ten digits of the NPI."),
        ("license_state", "C1", "Enter the two letters of the state"),
        ("license_number", "A1 <b>", "Enter the license number as on your license"),
        ("phone", "555", "Enter a ten-digit telephone number."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("first_name", "", "This field is required."),
    ],
)
def test_bad_details_say_what_is_wrong_and_change_nothing(client, office, field, value, message):
    response = walk(client, details={**SOLO, field: value})

    assert response.status_code == 200
    assert message in response.text
    assert response.context["form"].errors[field]
    assert not RegistrationRequest.objects.exists()
    assert not User.objects.exists()


def test_each_step_validates_and_back_shows_what_was_chosen(client, db):
    terms = client.post(reverse("providers:register"), {})
    assert "Select I Agree to these terms to register." in terms.text
    client.post(reverse("providers:register"), {"agree": "on"})

    regions = client.post(reverse("providers:register-regions"), {"regions": ["atlantis"]})
    assert "Choose regions from the list." in regions.text
    assert "Choose at least one region." in client.post(reverse("providers:register-regions")).text
    client.post(reverse("providers:register-regions"), {"regions": ["northern", "central"]})

    account = client.post(reverse("providers:register-account-type"), {"account_type": "spa"})
    assert "Choose your account type from the list." in account.text
    client.post(reverse("providers:register-account-type"), {"account_type": "physician"})
    user_type = client.post(reverse("providers:register-user-type"), {})
    assert "Choose your user type." in user_type.text

    # Back: the earlier steps show what was chosen, with a Back link of their own.
    back = client.get(reverse("providers:register-regions"))
    assert back.context["form"].initial == {"regions": ["northern", "central"]}
    assert back.context["back_url"] == reverse("providers:register")
    assert client.get(reverse("providers:register")).context["form"].initial == {"agree": True}
    assert client.get(reverse("providers:register-account-type")).context["form"].initial == {
        "account_type": "physician"
    }


def test_a_step_reached_out_of_order_goes_to_the_first_one_missing(client, db):
    assert client.get(reverse("providers:register-details"))["Location"] == reverse(
        "providers:register"
    )
    client.post(reverse("providers:register"), {"agree": "on"})
    assert client.get(reverse("providers:register-user-type"))["Location"] == reverse(
        "providers:register-regions"
    )
    assert client.get(reverse("providers:register-submitted"))["Location"] == reverse(
        "providers:register"
    )


def test_an_organisation_skips_the_user_type_and_gives_no_license(client, db):
    client.post(reverse("providers:register"), {"agree": "on"})
    client.post(reverse("providers:register-regions"), {"regions": ["southern"]})
    client.post(reverse("providers:register-account-type"), {"account_type": "hospital"})

    assert client.get(reverse("providers:register-user-type"))["Location"] == reverse(
        "providers:register-details"
    )
    page = client.get(reverse("providers:register-details"))
    assert "license_number" not in page.context["form"].fields
    assert page.context["back_url"] == reverse("providers:register-account-type")
    assert "Group NPI (optional)" in page.text


def test_submitting_is_rate_limited(client, office, settings):
    settings.PROVIDER_REGISTRATION_RATE_LIMITS = {"submit": "1/h/ip"}
    walk(client, account_type="medical_group", details=GROUP)

    response = walk(client, account_type="hospital", details={**GROUP, "email": "x@lake.example"})

    assert response.status_code == 429
    assert RegistrationRequest.objects.count() == 1


# Finishing the account --------------------------------------------------------------------


@pytest.fixture
def instant_link(client, office, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk(client)
    [mail] = sent(mailoutbox, SOLO["email"])
    mailoutbox.clear()
    return completion_link(mail)


def test_the_link_completes_registration_once(
    client, instant_link, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get(instant_link)
    assert page.status_code == 200
    assert RegistrationRequest.objects.get().transaction_id in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(instant_link, completion_data(client, instant_link))

    assert "Your account is active" in response.text
    user = User.objects.get(email=SOLO["email"])
    assert user.check_password(NEW_PASSWORD)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert ProviderUser.objects.get(user=user).terms_accepted_at is not None
    assert RegistrationRequest.objects.get().status == Status.COMPLETED
    [mail] = mailoutbox
    assert mail.subject.endswith("provider portal account is active")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, object_id=str(user.pk))
    again = client.get(instant_link)
    assert again.status_code == 410
    assert "This registration link has been used" in again.text


def test_a_bad_completion_changes_nothing(client, instant_link):
    response = client.post(
        instant_link, completion_data(client, instant_link, password2="something-else-2026")
    )

    assert "The two passwords are not the same." in response.text
    assert not User.objects.get(email=SOLO["email"]).has_usable_password()
    assert RegistrationRequest.objects.get().status == Status.APPROVED
    assert RegistrationToken.objects.get().used_at is None


def test_the_link_expires_after_48_hours(client, instant_link):
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=49)):
        response = client.get(instant_link)
    assert response.status_code == 410
    assert "This registration link has expired" in response.text
    assert client.get("/providers/register/complete/not-a-token/").status_code == 404


# The queue in the admin ---------------------------------------------------------------------


def pending(*, days_ago=0, **overrides):
    values = {
        "account_type": "medical_group",
        "user_type": "delegated_admin",
        "organization_name": "Lakeview Medical Group",
        "tax_id_number": "977654321",
        "first_name": "Jamie",
        "last_name": "Park",
        "email": "jamie.park@lakeview.example",
        "phone": "916-555-0177",
        "terms_accepted_at": timezone.now(),
        **overrides,
    }
    found = RegistrationRequest.objects.create(
        transaction_id=registration.transaction_id_new(), **values
    )
    RegistrationRequest.objects.filter(pk=found.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    found.refresh_from_db()
    return found


def test_the_queue_lists_pending_first_oldest_first_with_the_target(
    cast, client, office, django_assert_num_queries
):
    tax_id, practitioner = office
    decided = pending(days_ago=30, email="old@x.example", status=Status.REJECTED)
    newer = pending(
        days_ago=1, email="new@x.example", matched_tax_id=tax_id, matched_practitioner=practitioner
    )
    older = pending(days_ago=10, email="older@x.example")
    client.force_login(cast.ops)
    url = reverse("admin:providers_registrationrequest_changelist")

    # Session, user, their two permission lookups, the count, the page (matched records
    # joined in), and the session saved (three statements) whatever the number of rows.
    with django_assert_num_queries(9):
        response = client.get(url)

    # The queue opens on the requests awaiting verification; All puts them first.
    assert list(response.context["cl"].result_list) == [older, newer]
    everything = client.get(url, {"queue": "all"})
    assert list(everything.context["cl"].result_list) == [older, newer, decided]
    rejected = client.get(url, {"queue": "rejected"})
    assert list(rejected.context["cl"].result_list) == [decided]
    assert client.get(url, {"queue": "nonsense"}).status_code == 200
    assert "Overdue: due" in response.text
    assert response.text.count("registration-overdue") == 1
    assert "Tax ID on file, license on file" in response.text


def test_ops_see_the_request_beside_the_records(cast, client, office):
    tax_id, practitioner = office
    found = pending(
        account_type="physician",
        user_type="delegated_admin",
        tax_id_number=tax_id.number,
        license_state="CA",
        license_number="A123456",
        npi="9000001234",
    )
    client.force_login(cast.ops)

    response = client.get(reverse("admin:providers_registrationrequest_change", args=[found.pk]))

    assert response.status_code == 200
    matches = response.context["matches"]
    assert matches.tax_id == tax_id and matches.by_license == practitioner
    assert matches.license_on_tax_id
    assert "Rowan Family Medicine" in response.text and "billing under this Tax ID" in response.text
    assert "Approve" in response.text and "Reject" in response.text


def test_approving_makes_the_office_and_its_administrator_and_emails_the_link(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    found = pending()
    client.force_login(cast.ops)
    approve = reverse("admin:providers_registrationrequest_approve", args=[found.pk])
    assert client.get(approve).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve)

    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == Status.APPROVED and found.decided_by == cast.ops
    tax_id = TaxId.objects.get(number="977654321")
    assert tax_id.organization.name == "Lakeview Medical Group"
    assert tax_id.organization.org_type == "medical_group"
    assert tax_id.organization.status == Org.Status.APPROVED
    profile = ProviderUser.objects.get(user=found.user)
    assert profile.is_delegated_admin and profile.organization == tax_id.organization
    # A delegated administrator sees no patient data until they add themselves as an end user.
    assert not found.user.has_perm("providers.check_eligibility", tax_id)
    [mail] = mailoutbox
    assert found.transaction_id in mail.body and LINK.search(mail.body)
    assert AuditEvent.objects.filter(
        user=cast.ops, object_type="providers.RegistrationRequest", object_id=str(found.pk)
    ).exists()
    # The link works like the instant one.
    assert client.get(completion_link(mail)).status_code == 200


def test_an_offices_administrators_hear_when_another_one_registers(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    tax_id = cast.tax_ids[0]
    found = pending(organization_name=tax_id.name, tax_id_number=tax_id.number)
    client.force_login(cast.ops)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:providers_registrationrequest_approve", args=[found.pk]))
    client.logout()
    link = completion_link(mailoutbox[-1])

    client.post(link, completion_data(client, link))

    found.refresh_from_db()
    assert found.status == Status.COMPLETED
    assert ProviderUser.objects.get(user=found.user).organization == tax_id.organization
    [line] = Activity.objects.filter(recipient=cast.provider)
    assert found.transaction_id in line.summary and line.actor == found.user


def test_approving_a_solo_practitioner_attaches_to_the_tax_id_on_file(
    cast, client, office, django_capture_on_commit_callbacks
):
    tax_id, _ = office
    Org.objects.filter(pk=tax_id.organization_id).update(status=Org.Status.PENDING)
    found = pending(account_type="physician", user_type="solo", tax_id_number=tax_id.number)
    client.force_login(cast.ops)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:providers_registrationrequest_approve", args=[found.pk]))

    found.refresh_from_db()
    assert ProviderUser.objects.get(user=found.user).organization_id == tax_id.organization_id
    assert found.user.has_perm("providers.inquire_claims", tax_id)
    assert Org.objects.get(pk=tax_id.organization_id).status == Org.Status.APPROVED
    assert TaxId.objects.count() == 1 + TaxId.objects.exclude(pk=tax_id.pk).count()


def test_approving_for_an_address_that_has_an_account_changes_nothing(cast, client, mailoutbox):
    found = pending(email=cast.provider.email)
    client.force_login(cast.ops)
    organizations = Org.objects.count()

    response = client.post(
        reverse("admin:providers_registrationrequest_approve", args=[found.pk]), follow=True
    )

    assert "already exists" in response.text
    found.refresh_from_db()
    assert found.status == Status.PENDING
    assert Org.objects.count() == organizations
    assert not mailoutbox


def test_rejecting_needs_a_reason_and_emails_it(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    found = pending()
    client.force_login(cast.ops)
    reject = reverse("admin:providers_registrationrequest_reject", args=[found.pk])

    blank = client.post(reject, {"reason": "   "})
    assert blank.status_code == 400
    assert "Say why the request is rejected." in blank.text
    found.refresh_from_db()
    assert found.status == Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reject, {"reason": "Tax ID 97-7654321 is not under contract with us."})

    found.refresh_from_db()
    assert found.status == Status.REJECTED and found.decided_by == cast.ops
    [mail] = mailoutbox
    assert "is not under contract with us" in mail.body
    assert "is not under contract with us" in mail.alternatives[0][0]
    assert AuditEvent.objects.filter(user=cast.ops, object_id=str(found.pk)).exists()
    # Decided once: approving now changes nothing.
    client.post(reverse("admin:providers_registrationrequest_approve", args=[found.pk]))
    found.refresh_from_db()
    assert found.status == Status.REJECTED and found.user is None


def test_a_new_link_replaces_the_old_one(
    cast, client, instant_link, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.ops)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:providers_registrationrequest_changelist") + "?queue=approved",
            {
                "action": "resend_link",
                "_selected_action": [RegistrationRequest.objects.get().pk],
            },
        )
    [mail] = mailoutbox
    client.logout()
    assert client.get(instant_link).status_code == 410
    assert client.get(completion_link(mail)).status_code == 200


def test_read_only_ops_and_portal_users_cannot_decide(cast, client):
    found = pending()
    support = f.UserFactory(email="support@ops.example", role=Role.OPS, is_staff=True)
    from django.contrib.auth.models import Group as AuthGroup

    support.groups.add(AuthGroup.objects.get(name="Ops: support (read-only)"))
    approve = reverse("admin:providers_registrationrequest_approve", args=[found.pk])

    client.force_login(support)
    assert (
        client.get(reverse("admin:providers_registrationrequest_change", args=[found.pk]))
    ).status_code == 200
    assert client.post(approve).status_code == 403
    for role in ("provider", "broker"):
        client.force_login(getattr(cast, role))
        assert client.post(approve).status_code == 302  # to the admin's login
    found.refresh_from_db()
    assert found.status == Status.PENDING


# The demo ---------------------------------------------------------------------------------


def test_the_demo_has_a_physician_to_register_and_a_queue_to_work(db):
    from io import StringIO

    from django.core.management import call_command

    from providers import demo_registration as demo

    call_command("seed_demo", stdout=StringIO(), scale=0.05, as_of=datetime.date(2026, 11, 15))

    solo = demo.SOLO
    result = registration.registration_assess(
        account_type="physician",
        user_type="solo",
        tax_id_number=solo["tax_id"],
        npi=solo["npi"],
        license_state=solo["license_state"],
        license_number=solo["license_number"],
    )
    assert result.outcome == Outcome.INSTANT
    refused = demo.NOT_PARTICIPATING
    assert (
        registration.registration_assess(
            account_type="physician",
            user_type="solo",
            tax_id_number=refused["tax_id"],
            npi=refused["npi"],
            license_state=refused["license_state"],
            license_number=refused["license_number"],
        ).outcome
        == Outcome.NOT_PARTICIPATING
    )
    queue = list(registration.pending_first())
    assert [r.status for r in queue] == [Status.PENDING] * 3 + [Status.REJECTED]
    assert registration.registration_is_overdue(queue[0])
    assert not registration.registration_is_overdue(queue[2])
