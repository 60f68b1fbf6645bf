from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "portal.activity"
    label = "activity"
    verbose_name = "Recent activity"
