import pytest
from django.test import RequestFactory

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from tests.factories import AuditEventFactory, MemberFactory


def test_a_view_of_member_data_is_recorded_without_the_data(cast):
    member = MemberFactory(last_name="Quintana")
    member.set_ssn("123-45-6789")
    member.save()
    request = RequestFactory().get("/brokers/members/", REMOTE_ADDR="203.0.113.7")
    request.user = cast.broker
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[member])
    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.object_type, event.object_id) == (
        cast.broker,
        "view",
        "enrollment.Member",
        str(member.pk),
    )
    assert event.ip_address == "203.0.113.7"
    recorded = " ".join(str(value) for value in AuditEvent.objects.values_list().get())
    assert "Quintana" not in recorded and "6789" not in recorded


def test_a_search_result_list_records_one_row_per_hit(cast):
    members = MemberFactory.create_batch(3)
    request = RequestFactory().get("/providers/patients/?q=x")
    request.user = cast.provideruser
    audit_record(request=request, action=AuditEvent.Action.SEARCH, objects=members)
    assert sorted(AuditEvent.objects.values_list("object_id", flat=True)) == sorted(
        str(m.pk) for m in members
    )


def test_audit_events_cannot_be_changed_or_deleted(db):
    event = AuditEventFactory()
    event.action = AuditEvent.Action.CHANGE
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="change")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_ops_can_browse_and_filter_the_audit_log_but_not_change_it(cast, client):
    AuditEventFactory(user=cast.broker, action=AuditEvent.Action.EXPORT)
    client.force_login(cast.ops)
    response = client.get("/admin/audit/auditevent/?action__exact=export")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    event = AuditEvent.objects.get()
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.count() == 1
