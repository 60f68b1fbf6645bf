from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "employers"
    verbose_name = "Employers"

    def ready(self):
        # Connects the receiver that notifies administrators of enrollment changes.
        from employers import receivers  # noqa: F401
