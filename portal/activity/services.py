from portal.activity.models import Activity


def activity_record(*, recipients, summary, actor=None, link=""):
    """Add a line to each recipient's Recent Activity."""
    Activity.objects.bulk_create(
        Activity(recipient=recipient, actor=actor, summary=summary[:300], link=link)
        for recipient in recipients
    )
