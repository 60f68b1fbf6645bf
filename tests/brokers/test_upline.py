"""A broker lets their general agency (upline) view the groups of their book, or stops it."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokers.models import UplineAccess
from brokers.selectors import groups_for
from brokers.services import (
    broker_of_record_start,
    broker_user_attach,
    upline_access_grant,
    upline_access_revoke,
)
from portal.accounts.models import Role
from portal.activity.models import Activity
from tests.factories import AgencyFactory, BrokerFactory, GroupFactory, UserFactory

START = datetime.date(2026, 1, 1)


def broker_login(agency):
    return broker_user_attach(
        broker=BrokerFactory(agency=agency), user=UserFactory(role=Role.BROKER)
    )


def book_of(broker, count):
    groups = GroupFactory.create_batch(count)
    for group in groups:
        broker_of_record_start(group=group, broker=broker, start_date=START)
    return groups


@pytest.fixture
def world(db):
    """A broker with two groups under a general agency of two brokers, and another downline."""
    general = AgencyFactory(name="Summit General Agency", account_type="upline")
    broker = broker_login(AgencyFactory(upline=general))
    other_downline = broker_login(AgencyFactory(upline=general))
    return SimpleNamespace(
        general=general,
        broker=broker,
        uplines=[broker_login(general), broker_login(general)],
        groups=book_of(broker, 2),
        other_downline=other_downline,
        other_group=book_of(other_downline, 1)[0],
    )


def seen(user, perm="view_group"):
    return set(groups_for(user, perm))


def test_granting_lets_the_uplines_brokers_see_the_groups_without_rosters(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    for upline in world.uplines:
        assert seen(upline.user) == set()

    with django_capture_on_commit_callbacks(execute=True):
        upline_access_grant(broker=world.broker, rosters_allowed=False, by=world.broker.user)

    for upline in world.uplines:
        assert seen(upline.user) == set(world.groups)
        assert seen(upline.user, "view_roster") == set()
    access = UplineAccess.objects.get(broker=world.broker)
    assert (access.rosters_allowed, access.granted_by) == (False, world.broker.user)
    summary = "Upline view granted to Summit General Agency (group details)."
    assert Activity.objects.filter(recipient=world.broker.user, summary=summary).exists()
    [mail] = mailoutbox
    assert mail.to == [world.broker.user.email]
    assert summary in mail.body


def test_rosters_are_seen_only_while_allowed(world):
    upline = world.uplines[0].user

    upline_access_grant(broker=world.broker, rosters_allowed=True, by=world.broker.user)
    assert seen(upline, "view_roster") == set(world.groups)

    upline_access_grant(broker=world.broker, rosters_allowed=False, by=world.broker.user)
    assert seen(upline, "view_roster") == set()
    assert seen(upline) == set(world.groups)


def test_the_upline_sees_nothing_of_other_downlines(world):
    upline_access_grant(broker=world.broker, rosters_allowed=True, by=world.broker.user)

    assert world.other_group not in seen(world.uplines[0].user)
    # Nor does the broker's grant show the broker anything new.
    assert seen(world.broker.user) == set(world.groups)
    assert seen(world.other_downline.user) == {world.other_group}


def test_revoking_takes_the_view_away_in_one_delete(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    upline_access_grant(broker=world.broker, rosters_allowed=True, by=world.broker.user)

    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            upline_access_revoke(broker=world.broker, by=world.broker.user)

    for upline in world.uplines:
        assert seen(upline.user) == set()
        assert seen(upline.user, "view_roster") == set()
    assert not UplineAccess.objects.filter(broker=world.broker).exists()
    permission_deletes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("DELETE") and "groupobjectpermission" in q["sql"].lower()
    ]
    assert len(permission_deletes) == 1
    summary = "Upline view stopped for Summit General Agency."
    assert Activity.objects.filter(recipient=world.broker.user, summary=summary).exists()
    assert [summary in mail.body for mail in mailoutbox] == [True]


def test_revoking_leaves_what_the_upline_holds_as_broker_of_record(world):
    upline = world.uplines[0]
    own_group = book_of(upline, 1)[0]
    upline_access_grant(broker=world.broker, rosters_allowed=True, by=world.broker.user)

    upline_access_revoke(broker=world.broker, by=world.broker.user)

    assert seen(upline.user, "view_roster") == {own_group}


def test_a_group_gained_later_is_seen_by_the_upline_too(world):
    upline_access_grant(broker=world.broker, rosters_allowed=False, by=world.broker.user)

    [new_group] = book_of(world.broker, 1)

    assert new_group in seen(world.uplines[0].user)
    assert new_group not in seen(world.uplines[0].user, "view_roster")


def test_a_group_that_leaves_the_book_leaves_the_uplines_view(world):
    upline_access_grant(broker=world.broker, rosters_allowed=True, by=world.broker.user)
    moved = world.groups[0]

    broker_of_record_start(
        group=moved, broker=world.other_downline, start_date=datetime.date(2026, 6, 1)
    )

    assert seen(world.uplines[0].user) == {world.groups[1]}


def test_without_a_grant_a_new_group_stays_private(world):
    [new_group] = book_of(world.broker, 1)
    assert new_group not in seen(world.uplines[0].user)


def test_the_broker_allows_and_stops_the_upline_view_on_the_page(world, client):
    url = reverse("brokers:upline-access")
    client.force_login(world.broker.user)

    page = client.get(url)
    assert "Summit General Agency</strong> cannot see your groups." in page.text

    response = client.post(url, {"action": "grant", "rosters_allowed": "on"})
    assert response.status_code == 302
    assert seen(world.uplines[0].user, "view_roster") == set(world.groups)
    assert "including subscriber lists" in client.get(url).text

    client.post(url, {"action": "stop"})
    assert seen(world.uplines[0].user) == set()
    assert "cannot see your groups" in client.get(url).text


def test_a_broker_without_a_general_agency_has_no_one_to_allow(db, client):
    broker = broker_login(AgencyFactory())
    url = reverse("brokers:upline-access")
    client.force_login(broker.user)

    assert "no general agency (upline) on file" in client.get(url).text
    response = client.post(url, {"action": "grant"}, follow=True)
    assert "Your agency has no general agency (upline) on file." in response.text
    assert not UplineAccess.objects.exists()
