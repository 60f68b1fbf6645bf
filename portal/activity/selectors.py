from portal.activity.models import Activity

RECENT_ACTIVITY_LENGTH = 10


def recent_activity_for(user, limit=RECENT_ACTIVITY_LENGTH):
    """The user's own Recent Activity, newest first."""
    return Activity.objects.filter(recipient=user).select_related("actor")[:limit]
