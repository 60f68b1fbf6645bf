import functools

from django.conf import settings
from django.templatetags.static import static
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


@functools.cache
def _base_links(logo):
    """The paths every page's layout (base.html) links to, worked out once per process: five
    {% url %} and four {% static %} tags were a third of the layout's rendering (0.32 ->
    0.19 ms). By the carrier's logo, which is in the settings."""
    return {
        "home": reverse("home"),
        "my_reports": reverse("jobs:job-list"),
        "security": reverse("mfa_index"),
        "log_out": reverse("account_logout"),
        "terms": reverse("terms"),
        "logo": static(logo),
        "css": static("css/portal.css"),
        "htmx": static("js/htmx.min.js"),
    }


def carrier(request):
    return {
        "carrier": settings.CARRIER,
        "base_links": _base_links(settings.CARRIER["logo"]),
        "broker_nav": _linked(tuple(BROKER_NAV)),
        "employer_nav": _linked(tuple(EMPLOYER_NAV)),
        "provider_nav": _linked(tuple(PROVIDER_NAV)),
    }
