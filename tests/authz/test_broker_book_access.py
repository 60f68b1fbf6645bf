"""The book of business with real objects: a group and a subscriber of broker@'s book (200), of
another agency's book (404) and of a group outside any book (404), as every broker-portal role;
the upline sees the book's group details but not its subscribers; a staff user without the Book
of Business tool gets 403 whatever the object."""

import pytest
from django.urls import reverse

from portal.jobs.models import ReportJob

WHICH = ["own_book", "other_agency", "outside_any_book"]
# The roles that see each object: broker2's own book is "other_agency" from broker@'s side.
SEES_GROUP = {
    "broker": {"own_book"},
    "staff": {"own_book"},
    "upline": {"own_book"},
    "broker2": {"other_agency"},
}
SEES_ROSTER = {
    "broker": {"own_book"},
    "staff": {"own_book"},
    "upline": set(),
    "broker2": {"other_agency"},
}


def _group(cast, which):
    return {
        "own_book": cast.employer_groups[0],
        "other_agency": cast.other_employer_group,
        "outside_any_book": cast.group_outside_any_book,
    }[which]


def _status(role, which, sees):
    return 200 if which in sees[role] else 404


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("role", ["broker", "staff", "upline", "broker2"])
def test_group_and_subscriber_pages(role, which, cast, client):
    group = _group(cast, which)
    subscriber = cast.members[group.number]
    client.force_login(cast.users[role])

    detail = client.get(reverse("brokers:group-detail", args=[group.pk]))
    subscribers = client.get(reverse("brokers:subscriber-list", args=[group.pk]))
    member = client.get(reverse("brokers:subscriber-detail", args=[subscriber.pk]))

    assert detail.status_code == _status(role, which, SEES_GROUP)
    assert subscribers.status_code == _status(role, which, SEES_ROSTER)
    assert member.status_code == _status(role, which, SEES_ROSTER)


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("role", ["broker", "staff", "upline", "broker2"])
def test_parent_group_export_requests(role, which, cast, client):
    parent = _group(cast, which).parent
    client.force_login(cast.users[role])
    response = client.post(
        reverse("jobs:job-create"), {"kind": "parent_roster_xlsx", "parent": parent.pk}
    )
    if which in SEES_ROSTER[role]:
        assert response.status_code == 302
        assert ReportJob.objects.filter(requester=cast.users[role]).count() == 1
    else:
        assert response.status_code == 404
        assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    "url_name", ["brokers:group-detail", "brokers:subscriber-list", "brokers:subscriber-detail"]
)
def test_staff_without_the_book_of_business_tool_get_403(url_name, cast, client):
    cast.staff.user_permissions.clear()
    group = cast.employer_groups[0]
    pk = cast.members[group.number].pk if url_name == "brokers:subscriber-detail" else group.pk
    client.force_login(cast.staff)
    assert client.get(reverse(url_name, args=[pk])).status_code == 403
    assert client.get(reverse("brokers:group-list")).status_code == 403


@pytest.mark.parametrize("role", ["employer", "provider", "ops"])
def test_other_audiences_get_404(role, cast, client):
    group = cast.employer_groups[0]
    client.force_login(cast.users[role])
    assert client.get(reverse("brokers:group-detail", args=[group.pk])).status_code == 404
    assert client.get(reverse("brokers:subscriber-list", args=[group.pk])).status_code == 404
