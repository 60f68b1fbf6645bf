from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Portal users"

    def ready(self):
        from django.db.models.signals import post_migrate

        from portal.accounts.ops_roles import sync_ops_groups

        post_migrate.connect(sync_ops_groups, sender=self)
