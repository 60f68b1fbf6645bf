from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app, for project-wide management commands (seed_demo)."""

    name = "portal"
    verbose_name = "Portal"
