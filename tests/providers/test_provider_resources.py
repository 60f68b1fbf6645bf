"""Resources: the participating-provider search, medical policies and clinical guidelines after
the Important Notice, and the "You are now leaving" notice before other sites."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils.html import escape

from portal import leaving
from portal.demo.world import World
from providers import demo_resources, resources
from providers.models import MedicalPolicy, Practitioner
from tests import factories as f

HOME = reverse("providers:resources")
SEARCH = reverse("providers:provider-search")
POLICIES = reverse("providers:policy-list")
NOTICE = reverse("providers:policy-notice")
LEAVING = reverse("providers:leaving")


def _policy_url(policy):
    return reverse("providers:policy-detail", args=[policy.pk])


def _acknowledge(client):
    response = client.post(NOTICE, {"next": POLICIES})
    assert response.status_code == 302


def _names(response):
    return [f"{p.last_name}, {p.first_name}" for p in response.context["page"].object_list]


@pytest.fixture
def network(cast):
    """Five participating practitioners in two cities, one not participating any more."""
    practice = f.ProviderOrganizationFactory(name="Oak Street Family Medicine")
    make = f.PractitionerFactory
    return {
        "ana": make(
            organization=practice,
            first_name="Ana",
            last_name="Lee",
            specialty="Family Medicine",
            city="Sacramento",
            state="CA",
            zip_code="95814",
            office_phone="(916) 555-0101",
            accepting_new_patients=True,
        ),
        "bo": make(
            organization=practice,
            first_name="Bo",
            last_name="Leeds",
            specialty="Cardiology",
            city="Sacramento",
            state="CA",
            zip_code="95816",
            accepting_new_patients=False,
        ),
        "cy": make(
            first_name="Cy",
            last_name="Adams",
            specialty="Cardiology",
            city="Fresno",
            state="CA",
            zip_code="93701",
        ),
        "dee": make(
            first_name="Dee",
            last_name="Zane",
            specialty="Pediatrics",
            city="Reno",
            state="NV",
            zip_code="89501",
        ),
        "gone": make(
            first_name="Al",
            last_name="Leaving",
            specialty="Cardiology",
            city="Sacramento",
            is_participating=False,
        ),
    }


# Access


@pytest.mark.parametrize("name", ["resources", "provider-search", "policy-list", "leaving"])
def test_anonymous_is_sent_to_sign_in(client, db, name):
    response = client.get(reverse(f"providers:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("role", ["broker", "staff", "employer", "groupadmin", "ops"])
def test_other_audiences_get_404(cast, client, role):
    policy = f.MedicalPolicyFactory()
    client.force_login(getattr(cast, role))
    for url in (HOME, SEARCH, POLICIES, NOTICE, _policy_url(policy), LEAVING):
        assert client.get(url).status_code == 404, url
    assert client.post(NOTICE).status_code == 404


@pytest.mark.parametrize("role", ["provider", "provideruser", "provider2"])
def test_every_provider_role_may_use_resources(cast, client, role, network):
    """Delegated administrators too: the network and the policies hold no member data, and
    they are the carrier's, the same for every office."""
    policy = f.MedicalPolicyFactory()
    client.force_login(getattr(cast, role))
    assert client.get(HOME).status_code == 200
    assert client.get(SEARCH).status_code == 200
    assert client.get(NOTICE).status_code == 200
    _acknowledge(client)
    assert client.get(POLICIES).status_code == 200
    assert client.get(_policy_url(policy)).status_code == 200


def test_unpublished_or_missing_policy_is_404(cast, client):
    draft = f.MedicalPolicyFactory(is_published=False)
    client.force_login(cast.provideruser)
    _acknowledge(client)
    assert client.get(_policy_url(draft)).status_code == 404
    assert client.get(reverse("providers:policy-detail", args=[draft.pk + 100])).status_code == 404


def test_resources_are_in_the_provider_navigation(cast, client):
    client.force_login(cast.provideruser)
    response = client.get(reverse("providers:home"))
    assert f'href="{HOME}"'.encode() in response.content


# Find a Provider


def test_search_shows_only_participating_practitioners_by_name(cast, client, network):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH)
    assert _names(response) == ["Adams, Cy", "Lee, Ana", "Leeds, Bo", "Zane, Dee"]
    assert b"Leaving" not in response.content


def test_search_by_name_words_start_first_or_last_name(cast, client, network):
    client.force_login(cast.provideruser)
    assert _names(client.get(SEARCH, {"name": "lee"})) == ["Lee, Ana", "Leeds, Bo"]
    assert _names(client.get(SEARCH, {"name": "ana lee"})) == ["Lee, Ana"]
    assert _names(client.get(SEARCH, {"name": "  BO  "})) == ["Leeds, Bo"]


def test_search_by_specialty_city_zip_and_new_patients(cast, client, network):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, {"specialty": "Cardiology"})
    assert _names(response) == ["Adams, Cy", "Leeds, Bo"]
    # The specialties offered are the participating network's.
    assert [value for value, _ in response.context["form"].fields["specialty"].choices] == [
        "",
        "Cardiology",
        "Family Medicine",
        "Pediatrics",
    ]
    assert _names(client.get(SEARCH, {"location": "sacra"})) == ["Lee, Ana", "Leeds, Bo"]
    assert _names(client.get(SEARCH, {"location": "958"})) == ["Lee, Ana", "Leeds, Bo"]
    assert _names(client.get(SEARCH, {"location": "95814-0001"})) == ["Lee, Ana"]
    response = client.get(SEARCH, {"location": "Sacramento", "accepting": "on"})
    assert _names(response) == ["Lee, Ana"]


def test_results_show_what_a_referral_needs(cast, client, network):
    client.force_login(cast.provideruser)
    body = client.get(SEARCH, {"name": "ana"}).content.decode()
    for text in (
        "Lee, Ana",
        "Oak Street Family Medicine",
        "Family Medicine",
        "Sacramento, CA 95814",
        'href="tel:(916) 555-0101"',
        "<td>Yes</td>",
    ):
        assert text in body


def test_search_sorts_by_the_chosen_column(cast, client, network):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, {"sort": "-location"})
    assert _names(response) == ["Leeds, Bo", "Lee, Ana", "Zane, Dee", "Adams, Cy"]
    assert _names(client.get(SEARCH, {"sort": "specialty"}))[:2] == ["Adams, Cy", "Leeds, Bo"]


def test_search_pages(cast, client, network):
    practice = f.ProviderOrganizationFactory()
    for n in range(30):
        f.PractitionerFactory(organization=practice, first_name="Pat", last_name=f"Page{n:02d}")
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, {"name": "page", "page": 2})
    assert response.context["page"].number == 2
    assert _names(response) == [f"Page{n:02d}, Pat" for n in range(25, 30)]
    assert b"displaying 26 to 30" in response.content


def test_no_match_says_what_to_try(cast, client, network):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, {"name": "Nobody"})
    assert _names(response) == []
    assert b"No participating provider matches this search." in response.content


def test_htmx_swaps_only_the_results(cast, client, network):
    client.force_login(cast.provideruser)
    response = client.get(
        SEARCH, {"sort": "-name"}, headers={"HX-Request": "true", "HX-Target": "provider-results"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="provider-results">')
    assert "<form" not in body


@pytest.mark.parametrize(
    "query",
    [
        {"name": "x" * 500},
        {"name": "Robert'); DROP TABLE--"},
        {"name": "\x00"},
        {"location": "12ab"},
        {"location": "9"},
        {"location": "<script>"},
        {"specialty": "Astrology"},
        {"accepting": "maybe"},
        {"sort": "password"},
        {"sort": "-"},
        {"page": "-1"},
        {"page": "999999999999999999999"},
        {"page": "x"},
    ],
)
def test_bad_input_is_explained_never_500(cast, client, network, query):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, query)
    assert response.status_code == 200
    # A box with a mistake is named in the error summary; a bad sort or page falls back.
    assert bool(response.context["form"].errors) == (b'id="error-summary"' in response.content)


def test_a_bad_box_is_named_and_the_good_ones_still_search(cast, client, network):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, {"name": "lee", "location": "12ab"})
    assert "Enter a ZIP code (5 digits) or its first 3 digits." in response.content.decode()
    assert _names(response) == ["Lee, Ana", "Leeds, Bo"]


def test_search_queries_do_not_grow_with_the_results(
    cast, client, network, django_assert_num_queries
):
    practice = f.ProviderOrganizationFactory()
    for n in range(40):
        f.PractitionerFactory(organization=practice, last_name=f"Many{n}", city="Fresno")
    client.force_login(cast.provideruser)
    client.get(SEARCH)  # the network's specialties are cached from here on
    # session, user, count, the page of practitioners with their practice, and the session
    # saved (savepoint, update, release: SESSION_SAVE_EVERY_REQUEST)
    with django_assert_num_queries(7):
        response = client.get(SEARCH, {"location": "fresno", "sort": "specialty"})
    assert len(response.context["page"].object_list) == 25


# Medical policies and the Important Notice


def test_policies_wait_for_the_important_notice(cast, client):
    policy = f.MedicalPolicyFactory()
    client.force_login(cast.provideruser)
    response = client.get(POLICIES, {"query": "knee"})
    assert response.status_code == 302
    assert response.url == f"{NOTICE}?next=%2Fproviders%2Fresources%2Fpolicies%2F%3Fquery%3Dknee"
    assert client.get(_policy_url(policy)).status_code == 302

    notice = client.get(response.url)
    # The words are the carrier file's, not the code's.
    for section in settings.CARRIER["medical_policy_notice"]["sections"]:
        assert escape(section["heading"]).encode() in notice.content
    assert notice.context["next"] == f"{POLICIES}?query=knee"

    acknowledged = client.post(NOTICE, {"next": f"{POLICIES}?query=knee"})
    assert acknowledged.url == f"{POLICIES}?query=knee"
    assert client.get(POLICIES).status_code == 200
    assert client.get(_policy_url(policy)).status_code == 200


def test_the_acknowledgement_lasts_the_session_only(cast, client):
    client.force_login(cast.provideruser)
    _acknowledge(client)
    assert client.get(POLICIES).status_code == 200
    client.logout()
    client.force_login(cast.provideruser)
    assert client.get(POLICIES).status_code == 302


def test_a_changed_notice_is_shown_again(cast, client, settings):
    client.force_login(cast.provideruser)
    _acknowledge(client)
    notice = dict(settings.CARRIER["medical_policy_notice"])
    notice["sections"] = [*notice["sections"], {"heading": "New", "text": "A new section."}]
    settings.CARRIER = {**settings.CARRIER, "medical_policy_notice": notice}
    assert client.get(POLICIES).status_code == 302


def test_a_carrier_without_a_notice_shows_the_policies_at_once(cast, client, settings):
    settings.CARRIER = {k: v for k, v in settings.CARRIER.items() if k != "medical_policy_notice"}
    client.force_login(cast.provideruser)
    assert client.get(POLICIES).status_code == 200
    assert client.get(NOTICE).url == POLICIES


@pytest.mark.parametrize(
    "next_url",
    ["https://elsewhere.example/", "//elsewhere.example/", "/providers/patients/", "javascript:x"],
)
def test_the_notice_only_returns_into_the_policies(cast, client, next_url):
    client.force_login(cast.provideruser)
    response = client.post(NOTICE, {"next": next_url})
    assert response.url == POLICIES


def test_policy_list_shows_published_policies_searched_filtered_sorted(cast, client):
    f.MedicalPolicyFactory(number="MP-1", title="Knee Arthroscopy", category="Surgery")
    f.MedicalPolicyFactory(number="MP-2", title="Spine MRI", category="Radiology")
    f.MedicalPolicyFactory(
        number="CG-1",
        title="Low Back Pain",
        kind="clinical_guideline",
        category="Chronic Conditions",
        effective_date=datetime.date(2025, 5, 1),
    )
    f.MedicalPolicyFactory(number="MP-3", title="Draft Knee Policy", is_published=False)
    client.force_login(cast.provideruser)
    _acknowledge(client)

    def titles(**query):
        response = client.get(POLICIES, query)
        return [policy.title for policy in response.context["page"].object_list]

    assert titles() == ["Knee Arthroscopy", "Low Back Pain", "Spine MRI"]
    assert titles(query="knee") == ["Knee Arthroscopy"]
    assert titles(query="mp-2") == ["Spine MRI"]
    assert titles(kind="clinical_guideline") == ["Low Back Pain"]
    assert titles(category="Radiology") == ["Spine MRI"]
    assert titles(sort="effective") == ["Low Back Pain", "Knee Arthroscopy", "Spine MRI"]
    assert titles(sort="-number") == ["Spine MRI", "Knee Arthroscopy", "Low Back Pain"]
    # Only published policies' categories are offered.
    response = client.get(POLICIES)
    assert [c for c, _ in response.context["form"].fields["category"].choices] == [
        "",
        "Chronic Conditions",
        "Radiology",
        "Surgery",
    ]
    assert b"Draft Knee Policy" not in response.content


def test_policy_list_empty_states(cast, client):
    client.force_login(cast.provideruser)
    _acknowledge(client)
    assert b"No medical policies or clinical guidelines are published yet." in (
        client.get(POLICIES).content
    )
    f.MedicalPolicyFactory()
    assert b"No policy or guideline matches this search." in (
        client.get(POLICIES, {"query": "zzz"}).content
    )


@pytest.mark.parametrize(
    "query",
    [
        {"query": "x" * 500},
        {"query": "%_\\'\""},
        {"query": "\x00"},
        {"kind": "poem"},
        {"category": "Nope"},
        {"sort": "body"},
        {"page": "0"},
        {"page": "NaN"},
    ],
)
def test_bad_policy_search_input_never_500(cast, client, query):
    f.MedicalPolicyFactory()
    client.force_login(cast.provideruser)
    _acknowledge(client)
    assert client.get(POLICIES, query).status_code == 200


def test_policy_list_queries_do_not_grow_with_the_policies(cast, client, django_assert_num_queries):
    for n in range(30):
        f.MedicalPolicyFactory(category=f"Category {n % 3}")
    client.force_login(cast.provideruser)
    _acknowledge(client)
    # session, user, categories, count, the page of policies, the session saved (3)
    with django_assert_num_queries(8):
        response = client.get(POLICIES, {"sort": "-effective"})
    assert len(response.context["page"].object_list) == 20


def test_policy_detail_shows_the_policy_and_its_document_through_the_notice(cast, client):
    policy = f.MedicalPolicyFactory(
        title="Bariatric Surgery",
        body="Criteria\n<b>not bold</b>",
        external_url="https://policies.example.org/MP-1001.pdf",
    )
    client.force_login(cast.provideruser)
    _acknowledge(client)
    response = client.get(_policy_url(policy))
    body = response.content.decode()
    assert "Bariatric Surgery" in body
    assert "&lt;b&gt;not bold&lt;/b&gt;" in body
    # The document's address is never linked directly, only through the leaving notice.
    assert 'href="https://policies.example.org' not in body
    link = response.context["document_link"]
    assert link.startswith(f"{LEAVING}?to=")
    notice = client.get(link)
    assert notice.status_code == 200
    assert b'href="https://policies.example.org/MP-1001.pdf"' in notice.content
    assert b"You are now leaving" in notice.content
    # Cancel returns to the policy.
    assert f'href="{_policy_url(policy)}"'.encode() in notice.content


def test_policy_detail_queries(cast, client, django_assert_num_queries):
    policy = f.MedicalPolicyFactory()
    client.force_login(cast.provideruser)
    _acknowledge(client)
    with django_assert_num_queries(6):  # session, user, the policy, the session saved (3)
        client.get(_policy_url(policy))


# The "You are now leaving" notice


def test_outside_links_of_the_resources_page_go_through_the_notice(cast, client):
    client.force_login(cast.provider)
    response = client.get(HOME)
    links = response.context["links"]
    assert [label for label, _, _ in links] == [
        link["label"] for link in settings.CARRIER["provider_links"]
    ]
    for label, _, href in links:
        assert href.startswith(f"{LEAVING}?to=")
        notice = client.get(href)
        assert notice.status_code == 200
        target = next(
            link["url"] for link in settings.CARRIER["provider_links"] if link["label"] == label
        )
        assert f'href="{target}"'.encode() in notice.content


def test_the_notice_never_redirects(cast, client):
    client.force_login(cast.provideruser)
    link = leaving.leaving_link(LEAVING, "https://www.cms.gov/")
    response = client.get(link)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert b"www.cms.gov" in response.content


@pytest.mark.parametrize(
    "to",
    [
        "https://elsewhere.example/",  # not signed: anyone could write it
        "javascript:alert(1)",
        "",
        "garbage:::",
    ],
)
def test_the_notice_refuses_links_the_portal_did_not_write(cast, client, to):
    client.force_login(cast.provideruser)
    response = client.get(LEAVING, {"to": to})
    assert response.status_code == 400
    assert b"This link can't be followed" in response.content
    assert b"elsewhere.example" not in response.content


def test_a_tampered_token_is_refused(cast, client):
    client.force_login(cast.provideruser)
    link = leaving.leaving_link(LEAVING, "https://www.cms.gov/")
    token = parse_qs(urlsplit(link).query)["to"][0]
    payload, signature = token.split(":", 1)
    forged = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}:{signature}"
    response = client.get(LEAVING, {"to": forged})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "ftp://files.example/",
        "/providers/",
        "//elsewhere.example/",
        "https://",
        "https://carrier.example@elsewhere.example/",
        "https://elsewhere.example/\nx",
        " https://elsewhere.example/",
        "https://[::1",
        None,
    ],
)
def test_only_http_urls_are_ever_offered(url):
    assert leaving.leaving_link(LEAVING, url) == ""
    assert not leaving.is_outside_url(url)


def test_a_signed_javascript_url_is_still_refused(cast, client):
    """Should a token ever carry one (a key shared with an older release), it is checked again."""
    from django.core import signing

    token = signing.dumps({"to": "javascript:alert(1)", "back": ""}, salt=leaving.SALT)
    client.force_login(cast.provideruser)
    assert client.get(LEAVING, {"to": token}).status_code == 400


def test_cancel_never_leads_off_the_site(cast, client):
    from django.core import signing

    token = signing.dumps(
        {"to": "https://www.cms.gov/", "back": "//evil.example"}, salt=leaving.SALT
    )
    assert leaving.leaving_target(token) is None
    link = leaving.leaving_link(LEAVING, "https://www.cms.gov/", back="https://evil.example/")
    assert leaving.leaving_target(parse_qs(urlsplit(link).query)["to"][0]) == (
        "https://www.cms.gov/",
        "",
    )


# Ops publish and unpublish


def test_admin_publishes_and_unpublishes_policies(cast, client):
    draft = f.MedicalPolicyFactory(is_published=False)
    live = f.MedicalPolicyFactory()
    client.force_login(cast.ops)
    changelist = reverse("admin:providers_medicalpolicy_changelist")
    response = client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk, live.pk]}, follow=True
    )
    assert response.status_code == 200
    assert b"1 policy published." in response.content
    draft.refresh_from_db()
    assert draft.is_published
    assert LogEntry.objects.filter(object_id=str(draft.pk), user=cast.ops).exists()

    client.post(changelist, {"action": "unpublish", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert not live.is_published

    client.force_login(cast.provideruser)
    _acknowledge(client)
    assert client.get(_policy_url(live)).status_code == 404
    assert client.get(_policy_url(draft)).status_code == 200


def test_admin_refuses_a_document_address_that_is_not_http(cast, client):
    client.force_login(cast.ops)
    data = {
        "number": "MP-9",
        "title": "Script",
        "kind": "medical_policy",
        "effective_date": "2026-01-01",
        "external_url": "javascript:alert(1)",
    }
    response = client.post(reverse("admin:providers_medicalpolicy_add"), data)
    assert response.status_code == 200
    assert not MedicalPolicy.objects.filter(number="MP-9").exists()
    data["external_url"] = "ftp://files.example/policy.pdf"
    client.post(reverse("admin:providers_medicalpolicy_add"), data)
    assert not MedicalPolicy.objects.filter(number="MP-9").exists()
    data["external_url"] = "https://policies.example.org/MP-9.pdf"
    client.post(reverse("admin:providers_medicalpolicy_add"), data)
    assert MedicalPolicy.objects.filter(number="MP-9").exists()


def test_a_specialty_ops_add_is_offered_at_once(cast, client, network):
    client.force_login(cast.provideruser)
    client.get(SEARCH)  # caches the network's specialties
    practitioner = network["dee"]
    tax_id = f.TaxIdFactory(organization=practitioner.organization)
    client.force_login(cast.ops)
    data = {
        "organization": practitioner.organization_id,
        "tax_ids": [tax_id.pk],
        "first_name": practitioner.first_name,
        "last_name": practitioner.last_name,
        "npi": practitioner.npi,
        "license_state": practitioner.license_state,
        "license_number": practitioner.license_number,
        "specialty": "Neurology",
        "is_participating": "on",
        "accepting_new_patients": "on",
    }
    change = reverse("admin:providers_practitioner_change", args=[practitioner.pk])
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(cast.provideruser)
    choices = client.get(SEARCH).context["form"].fields["specialty"].choices
    assert ("Neurology", "Neurology") in choices
    assert ("Pediatrics", "Pediatrics") not in choices


def test_admin_lists_practitioners_participation(cast, client, network):
    client.force_login(cast.ops)
    changelist = reverse("admin:providers_practitioner_changelist")
    response = client.get(changelist, {"is_participating__exact": "0"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [network["gone"]]


# Demo data


def test_demo_network_and_policies(db, settings):
    world = World(seed=7, scale=1, as_of=datetime.date(2026, 11, 15), log=lambda _: None)
    existing = f.PractitionerFactory(license_state="NV")

    demo_resources.network(world)
    demo_resources.policies(world)

    existing.refresh_from_db()
    assert existing.state == "NV" and existing.city and existing.office_phone
    network = Practitioner.objects.exclude(pk=existing.pk)
    network_size = network.count()
    assert network.count() >= demo_resources.NETWORK_PRACTITIONERS_PER_SCALE
    participating = network.filter(is_participating=True)
    assert 0 < network.count() - participating.count() < network.count() * 0.2
    assert participating.values("specialty").distinct().count() >= 10
    assert participating.values("city").distinct().count() >= 10
    assert all(p.tax_ids.exists() for p in network[:20])
    assert MedicalPolicy.objects.count() == len(demo_resources.POLICIES)
    assert MedicalPolicy.objects.filter(is_published=False).count() == 2
    for url in MedicalPolicy.objects.exclude(external_url="").values_list(
        "external_url", flat=True
    ):
        assert leaving.is_outside_url(url)
    # A second run (the bench tops the network up) adds practitioners without clashing.
    demo_resources.network(world)
    assert Practitioner.objects.count() >= 1 + network_size + 300


def test_selectors_give_outsiders_nothing(cast):
    f.MedicalPolicyFactory()
    f.PractitionerFactory()
    assert not resources.participating_providers_for(cast.broker).exists()
    assert not resources.policies_for(cast.employer).exists()
