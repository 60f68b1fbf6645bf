"""My Account: telephone, profiles, the Broker ID the dashboard is viewed for; and the tools a
staff user was not granted, which answer 403 and leave the navigation."""

import pytest
from django.urls import reverse

from brokers import access
from brokers.models import License
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests.factories import BrokerCodeFactory, LicenseFactory


def test_broker_updates_their_phone_and_it_is_recorded(cast, client):
    client.force_login(cast.broker)
    response = client.post(reverse("brokers:account-phone"), {"phone": "(916) 555 0142"})
    assert response.status_code == 302
    broker = access.broker_for(cast.broker)
    assert broker.phone == "916-555-0142"
    assert Activity.objects.filter(recipient=cast.broker, summary__contains="telephone").exists()
    assert AuditEvent.objects.filter(
        user=cast.broker, action="change", object_type="brokers.Broker"
    ).exists()


def test_a_bad_phone_number_is_refused_and_changes_nothing(cast, client):
    client.force_login(cast.broker)
    before = access.broker_for(cast.broker).phone
    response = client.post(reverse("brokers:account-phone"), {"phone": "555-01"})
    assert response.status_code == 400
    assert b"Enter a ten-digit telephone number." in response.content
    assert access.broker_for(cast.broker).phone == before


def test_office_staff_cannot_change_the_brokers_details(cast, client):
    client.force_login(cast.staff)
    assert client.post(reverse("brokers:account-phone"), {"phone": "9165550142"}).status_code == 404


def test_mark_as_primary_moves_the_primary_profile(cast, client):
    broker = access.broker_for(cast.broker)
    old = broker.licenses.get(is_primary=True) if broker.licenses.filter(is_primary=True) else None
    other = LicenseFactory(broker=broker, state="NV", is_primary=False)
    client.force_login(cast.broker)
    response = client.post(reverse("brokers:license-primary", args=[other.pk]))
    assert response.status_code == 302
    assert License.objects.get(pk=other.pk).is_primary
    if old:
        assert not License.objects.get(pk=old.pk).is_primary
    page = client.get(reverse("brokers:account"))
    assert b"Current Primary" in page.content and b"Mark as Primary" in page.content


def test_another_brokers_license_is_404(cast, client):
    theirs = LicenseFactory(broker=access.broker_for(cast.broker2), state="OR", is_primary=False)
    client.force_login(cast.broker)
    assert client.post(reverse("brokers:license-primary", args=[theirs.pk])).status_code == 404
    assert not License.objects.get(pk=theirs.pk).is_primary


def test_viewing_dashboard_for_is_kept_in_the_session(cast, client):
    broker = access.broker_for(cast.broker)
    second = BrokerCodeFactory(broker=broker, label="Individual", is_primary=False)
    client.force_login(cast.broker)
    home = client.get(reverse("brokers:home"))
    assert home.context["acting_broker_code"] == broker.codes.get(is_primary=True)

    client.post(reverse("brokers:broker-code-select"), {"code": second.pk, "next": "/brokers/"})

    assert client.get(reverse("brokers:home")).context["acting_broker_code"] == second


def test_someone_elses_broker_id_cannot_be_chosen(cast, client):
    theirs = BrokerCodeFactory(broker=access.broker_for(cast.broker2), is_primary=False)
    client.force_login(cast.broker)
    client.post(reverse("brokers:broker-code-select"), {"code": theirs.pk})
    assert access.BROKER_CODE_SESSION_KEY not in client.session


def test_an_offsite_next_is_not_followed(cast, client):
    client.force_login(cast.broker)
    code = access.broker_for(cast.broker).codes.first()
    response = client.post(
        reverse("brokers:broker-code-select"), {"code": code.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("brokers:home")


@pytest.mark.parametrize(
    "url_name", ["brokers:group-list", "brokers:statement-list", "brokers:eligibility"]
)
def test_a_tool_not_granted_is_403_and_leaves_the_navigation(url_name, cast, client):
    cast.staff.user_permissions.clear()
    client.force_login(cast.staff)
    assert client.get(reverse(url_name)).status_code == 403
    home = client.get(reverse("brokers:home"))
    assert f'href="{reverse(url_name)}"'.encode() not in home.content


def test_a_broker_has_every_tool(cast):
    assert all(cast.broker.has_perm(tool) for tool in access.Tool.ALL)
    assert not any(cast.broker2.has_perm(tool, obj=object()) for tool in access.Tool.ALL)


def test_recent_activity_on_the_dashboard_is_the_users_own(cast, client):
    Activity.objects.create(recipient=cast.broker, summary="Casey Brennan completed registration.")
    Activity.objects.create(recipient=cast.broker2, summary="Someone else's news.")
    client.force_login(cast.broker)
    page = client.get(reverse("brokers:home")).content.decode()
    assert "Casey Brennan completed registration." in page
    assert "Someone else's news." not in page
