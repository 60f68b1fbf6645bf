from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app, so that Celery finds its tasks (portal/tasks.py)."""

    name = "portal"
    verbose_name = "Portal"
