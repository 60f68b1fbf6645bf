"""Member benefits: a plan's Schedule of Benefits, drawn once per plan version and served again."""

from unittest import mock

from django.core.files.storage import storages
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.jobs import pdf
from providers import benefits


def schedule(member):
    return reverse("providers:benefit-schedule", args=[member.pk])


def test_the_pdf_of_the_members_plan_is_downloaded_and_audited(cast, client):
    member = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.provideruser)
    response = client.get(schedule(member))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"Schedule of Benefits {member.plan.code}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        user=cast.provideruser, action="download", object_id=str(member.pk)
    ).exists()


def test_drawn_once_per_plan_version(cast, client):
    member = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.provideruser)
    with mock.patch.object(pdf, "render_pdf", wraps=pdf.render_pdf) as draw:
        client.get(schedule(member))
        client.get(schedule(member))
        assert draw.call_count == 1
        # A renamed plan is a new version: drawn again, under another name.
        old_name = benefits.schedule_file_name(member.plan)
        member.plan.name = "Renamed Gold HMO"
        member.plan.save(update_fields=["name"])
        client.get(schedule(member))
        assert draw.call_count == 2
    assert benefits.schedule_file_name(member.plan) != old_name
    assert storages["documents"].exists(benefits.schedule_file_name(member.plan))


def test_waiting_page_until_the_worker_has_drawn_it(cast, client):
    member = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.provideruser)
    with mock.patch("providers.tasks.benefit_schedule_draw.delay") as queued:
        response = client.get(schedule(member))
        assert response.status_code == 202
        assert queued.call_count == 1
        assert 'hx-trigger="every 2s"' in response.content.decode()
        # The page's polls do not queue it again every two seconds.
        poll = client.get(schedule(member), headers={"HX-Request": "true"})
        assert poll.status_code == 200 and queued.call_count == 1
    benefits.schedule_draw(member.plan)
    poll = client.get(schedule(member), headers={"HX-Request": "true"})
    assert "The Schedule of Benefits is ready." in poll.content.decode()
    assert not AuditEvent.objects.filter(user=cast.provideruser, action="download").exists()


def test_member_page_links_the_schedule(cast, client):
    member = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.provideruser)
    body = client.get(reverse("providers:member-detail", args=[member.pk])).content.decode()
    assert schedule(member) in body


def test_without_eligibility_403_and_no_member_404(cast, client):
    member = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.provider)
    assert client.get(schedule(member)).status_code == 403
    client.force_login(cast.provideruser)
    assert client.get(reverse("providers:benefit-schedule", args=[999999])).status_code == 404
    client.force_login(cast.broker)
    assert client.get(schedule(member)).status_code == 404
