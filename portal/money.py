from django.db import models


def money(verbose_name=None, **kwargs):
    """A dollar amount: up to ten billion with cents."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)
