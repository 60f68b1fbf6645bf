from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers"

    def ready(self):
        # The first sign-in's login receiver.
        from providers import first_sign_in  # noqa: F401
