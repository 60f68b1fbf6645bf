"""audit_record writes its rows in one INSERT without a transaction around it, and batches
more rows than one statement takes."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record


def test_a_page_of_hits_is_one_insert_statement_and_nothing_else(cast):
    request = RequestFactory().get("/providers/transactions/claims/", REMOTE_ADDR="203.0.113.9")
    request.user = cast.provideruser
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        audit_record(
            request=request,
            action=AuditEvent.Action.SEARCH,
            object_type="providers.Claim",
            object_ids=range(1, 26),
        )
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.object_id for e in events] == [str(n) for n in range(1, 26)]
    assert {(e.user, e.action, e.ip_address, e.path) for e in events} == {
        (cast.provideruser, "search", "203.0.113.9", "/providers/transactions/claims/")
    }
    assert all(e.at >= before for e in events)


def test_more_rows_than_one_statement_takes_are_all_written(cast):
    request = RequestFactory().get("/employers/exports/")
    request.user = cast.employer
    audit_record(
        request=request,
        action=AuditEvent.Action.EXPORT,
        object_type="enrollment.Member",
        object_ids=range(3000),
    )
    assert AuditEvent.objects.filter(action="export").count() == 3000
    assert set(AuditEvent.objects.values_list("object_id", flat=True)) == {
        str(n) for n in range(3000)
    }
