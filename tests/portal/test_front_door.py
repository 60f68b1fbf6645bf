"""The public front door: the account-type page, each audience's sign-in page, the generic
sign-in page, the Terms & Conditions, and the employer's "Forgot your username?"."""

import re

import pytest
from django.urls import reverse

from employers.models import EmployerAdmin
from employers.services import employer_admin_add
from portal.accounts.models import Role
from tests.factories import PASSWORD, UserFactory

HOMES = {
    "broker": "/brokers/",
    "employer": "/employers/",
    "provider": "/providers/",
    "ops": "/admin/",
}
AUDIENCE_SIGN_INS = ["brokers:sign-in", "employers:sign-in", "providers:sign-in"]


def _without_nonce(response):
    return re.sub(rb'nonce="[^"]*"', b"", response.content)


def test_anonymous_visitors_select_their_account_type(client, db, settings):
    settings.CARRIER = {**settings.CARRIER, "member_site_url": "https://members.juniper.example"}

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Select your account type" in html
    for name in AUDIENCE_SIGN_INS:
        assert f'href="{reverse(name)}"' in html
    assert 'href="https://members.juniper.example"' in html


@pytest.mark.parametrize("role", sorted(HOMES))
def test_the_landing_page_sends_signed_in_users_to_their_home(role, cast, client):
    client.force_login(cast.users[role])

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == HOMES[role]


@pytest.mark.parametrize("name", AUDIENCE_SIGN_INS)
def test_each_audience_sign_in_page_is_public_and_has_the_ways_in(name, client, db):
    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_login">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<button type="submit">Sign in</button>' in html
    assert "Your username is your email address." in html
    for link in ("Forgot Password / Unlock Account", "Forgot your username?", "Register now"):
        assert f">{link}</a>" in html


@pytest.mark.parametrize(
    ("name", "role"), [("employers:sign-in", "employer"), ("providers:sign-in", "provider")]
)
def test_each_audience_signs_in_on_its_own_page_and_lands_home(name, role, cast, client):
    response = client.post(reverse(name), {"login": f"{role}@demo.test", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == HOMES[role]


# Employers register online since "Employer portal 1": tests/employers/test_registration.py;
# provider offices since issue 11: tests/providers/test_provider_registration.py.
def test_providers_sign_in_page_leads_to_registration(client, db, settings):
    support = settings.CARRIER["contacts"]["provider"][0]

    html = client.get(reverse("providers:sign-in")).content.decode()

    assert 'href="#register">Register now</a>' in html
    assert 'id="register"' in html
    assert f'href="{reverse("providers:register")}">Register</a>' in html
    assert support["phone"] in html


def test_providers_forgot_username_points_to_their_administrator_and_support(client, db):
    html = client.get(reverse("providers:sign-in")).content.decode()

    assert 'href="#forgot-username">Forgot your username?</a>' in html
    assert 'id="forgot-username"' in html
    assert "delegated administrator" in html


def test_the_generic_sign_in_page_points_to_each_audiences_way_in(client, db):
    html = client.get(reverse("account_login")).content.decode()

    assert "Until those registrations open" not in html
    assert f'href="{reverse("brokers:register")}"' in html
    assert f'href="{reverse("brokers:forgot-username")}"' in html
    assert f'href="{reverse("employers:forgot-username")}"' in html
    assert f'href="{reverse("providers:sign-in")}#register"' in html
    assert f'href="{reverse("home")}"' in html


def test_terms_are_public_and_come_from_the_carrier_file(client, db, settings):
    settings.CARRIER = {**settings.CARRIER, "terms": ["First paragraph.", "Second paragraph."]}

    response = client.get(reverse("terms"))

    assert response.status_code == 200
    assert b"<p>First paragraph.</p>" in response.content
    assert b"<p>Second paragraph.</p>" in response.content


def test_every_page_links_the_terms_and_privacy_in_its_footer(cast, client, settings):
    client.force_login(cast.broker)

    html = client.get(reverse("brokers:home")).content.decode()

    assert f'href="{reverse("terms")}">Terms &amp; Conditions</a>' in html
    assert f'href="{settings.CARRIER["privacy_url"]}">Privacy policy</a>' in html


def _employer_forgot(client, group_number, policyholder_id):
    return client.post(
        reverse("employers:forgot-username"),
        {"group_number": group_number, "policyholder_id": policyholder_id},
    )


@pytest.mark.parametrize("which", ["suffix", "parent"])
def test_employer_forgot_username_emails_each_administrator_their_own(
    which, cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    group = cast.employer_groups[0]
    number = group.number if which == "suffix" else group.parent.number
    policyholder_id = group.parent.employer.policyholder_id

    with django_capture_on_commit_callbacks(execute=True):
        # Leading zeros may be left off, and the group number's case doesn't matter.
        response = _employer_forgot(client, number.lower(), policyholder_id.lstrip("0"))

    assert response.status_code == 200
    assert sorted(m.to[0] for m in mailoutbox) == ["employer@demo.test", "groupadmin@demo.test"]
    for message in mailoutbox:
        # Each administrator learns only their own username.
        assert message.to[0] in message.body
        assert len(set(re.findall(r"\S+@demo\.test", message.body))) == 1


def test_employer_forgot_username_skips_disabled_and_unregistered_administrators(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    group = cast.employer_groups[0]
    cast.groupadmin.is_active = False
    cast.groupadmin.save(update_fields=["is_active"])
    invited = UserFactory(email="invited@demo.test", role=Role.EMPLOYER_ADMIN)
    invited.set_unusable_password()
    invited.save(update_fields=["password"])
    employer_admin_add(
        employer=group.parent.employer, user=invited, level=EmployerAdmin.Level.SECONDARY
    )

    with django_capture_on_commit_callbacks(execute=True):
        _employer_forgot(client, group.number, group.parent.employer.policyholder_id)

    assert [m.to for m in mailoutbox] == [["employer@demo.test"]]


def test_employer_forgot_username_answers_the_same_when_nothing_matches(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    group = cast.employer_groups[0]
    policyholder_id = group.parent.employer.policyholder_id
    # Another employer's group with this employer's policyholder ID matches nobody.
    with django_capture_on_commit_callbacks(execute=True):
        matched = _employer_forgot(client, group.number, policyholder_id)
        other_group = _employer_forgot(client, cast.other_employer_group.number, policyholder_id)
        unknown = _employer_forgot(client, "NO-SUCH-GROUP", "123")

    assert len(mailoutbox) == 2
    assert matched.status_code == other_group.status_code == unknown.status_code == 200
    assert _without_nonce(matched) == _without_nonce(other_group) == _without_nonce(unknown)


def test_employer_forgot_username_is_rate_limited_per_address(cast, client, mailoutbox):
    for policyholder_id in range(1, 6):
        assert _employer_forgot(client, "P1", str(policyholder_id)).status_code == 200

    group = cast.employer_groups[0]
    response = _employer_forgot(client, group.number, group.parent.employer.policyholder_id)

    assert response.status_code == 429
    assert not mailoutbox
