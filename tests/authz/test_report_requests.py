"""Requesting a report about a group: only users who may see that group's roster get a job."""

import pytest
from django.urls import reverse

from portal.jobs.models import ReportJob
from tests.cast import ROLES

# broker@'s office holds view_roster on the employer's groups; the employer's own
# administrators see them as client admin (all three) or group admin (the first only).
MAY_REQUEST_FIRST_GROUP = {"broker", "staff", "employer", "groupadmin"}


@pytest.mark.parametrize("role", ROLES)
def test_a_roster_export_is_only_for_those_who_may_see_the_roster(role, cast, client):
    client.force_login(cast.users[role])
    group = cast.employer_groups[0]
    response = client.post(
        reverse("jobs:job-create"), {"kind": "group_roster_xlsx", "group": group.pk}
    )
    if role in MAY_REQUEST_FIRST_GROUP:
        assert response.status_code == 302
        assert ReportJob.objects.filter(requester=cast.users[role]).count() == 1
    else:
        assert response.status_code == 404
        assert not ReportJob.objects.exists()


def test_an_unknown_report_kind_and_a_missing_group_change_nothing(cast, client):
    client.force_login(cast.broker)
    assert client.post(reverse("jobs:job-create"), {"kind": "no_such_report"}).status_code == 404
    assert client.post(reverse("jobs:job-create"), {"kind": "group_roster_xlsx"}).status_code == 400
    assert (
        client.post(
            reverse("jobs:job-create"), {"kind": "group_roster_xlsx", "group": "x"}
        ).status_code
        == 400
    )
    assert not ReportJob.objects.exists()
