"""The demo's account support history: what support@ did for two callers last week, so that the
security role has reasons to read on a user's page and in Support actions."""

import datetime

from portal.accounts.models import SupportAction


def support_history(world, users) -> None:
    support = users["support@demo.test"]
    noon = datetime.datetime.combine(
        world.as_of - datetime.timedelta(days=3), datetime.time(12), tzinfo=datetime.UTC
    )
    SupportAction.objects.bulk_create(
        [
            SupportAction(
                kind=SupportAction.Kind.ASSUME_IDENTITY,
                agent=support,
                user=users["employer@demo.test"],
                reason="Caller could not find the Hourly suffix's November bill; identity "
                "checked by group number and policyholder ID (ticket 4411).",
                at=noon,
                ended_at=noon + datetime.timedelta(minutes=12),
            ),
            SupportAction(
                kind=SupportAction.Kind.UNLOCK,
                agent=support,
                user=users["staff@demo.test"],
                reason="Locked after a new laptop; called back on the broker's number on file "
                "(ticket 4420).",
                at=noon + datetime.timedelta(hours=2),
            ),
        ]
    )
