from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "portal.jobs"
    label = "jobs"
    verbose_name = "Report jobs"

    def ready(self):
        # Each app's reports.py registers its report kinds (see portal/jobs/registry.py), in the
        # web process and in Celery workers alike.
        autodiscover_modules("reports")
