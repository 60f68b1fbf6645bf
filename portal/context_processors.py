import functools

from django.conf import settings
from django.urls import reverse

# Each audience's top navigation, with the names its users know from other carrier portals:
# (label, url name, the permission a user needs to see the item, or None).
BROKER_NAV = [
    ("Book of Business", "brokers:group-list", "brokers.use_book_of_business"),
    ("Commission Statements", "brokers:statement-list", "brokers.use_commission_statements"),
    ("Eligibility, Status & Activity", "brokers:eligibility", "brokers.use_eligibility"),
    ("Sales & Quoting Resources", "brokers:sales-resources", None),
    ("Support Tools", "brokers:support", None),
    ("My Account", "brokers:account", None),
]
EMPLOYER_NAV = [
    ("Manage Enrollment", "employers:enrollment", None),
    ("Pay My Bill", "employers:billing", None),
    ("Manage Accounts & Reports", "employers:accounts-reports", None),
    ("Contact Us", "employers:support", None),
]
PROVIDER_NAV = [
    ("Patient Info", "providers:patient-info", None),
    ("Transactions", "providers:transactions", None),
    ("Resources", "providers:resources", None),
    ("My Account", "providers:account", None),
    ("Contact Us", "providers:support", None),
]


@functools.cache
def _linked(nav):
    """A navigation's items as (label, path, permission): the paths are reversed once, not on
    every page (six {% url %} tags were a third of the broker layout's rendering)."""
    return [(label, reverse(url_name), perm) for label, url_name, perm in nav]


def carrier(request):
    return {
        "carrier": settings.CARRIER,
        "broker_nav": _linked(tuple(BROKER_NAV)),
        "employer_nav": _linked(tuple(EMPLOYER_NAV)),
        "provider_nav": _linked(tuple(PROVIDER_NAV)),
    }
