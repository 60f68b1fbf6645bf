from django.apps import AppConfig


class AccessReviewConfig(AppConfig):
    """Ops' "who can see what": reads the grants of every audience app, writes nothing.

    An app of its own because it imports brokers, employers and providers, which neither
    portal/ (imports no audience app) nor any one audience app may do.
    """

    name = "access_review"
    verbose_name = "Access review"
