from django.conf import settings

# Each audience's top navigation, with the names its users know from other carrier portals.
BROKER_NAV = [
    ("Book of Business", "brokers:group-list"),
    ("Commission Statements", "brokers:statement-list"),
    ("Eligibility, Status & Activity", "brokers:eligibility"),
    ("Sales & Quoting Resources", "brokers:sales-resources"),
    ("Support Tools", "brokers:support"),
    ("My Account", "brokers:account"),
]
EMPLOYER_NAV = [
    ("Manage Enrollment", "employers:enrollment"),
    ("Pay My Bill", "employers:billing"),
    ("Manage Accounts & Reports", "employers:accounts-reports"),
    ("Contact Us", "employers:support"),
]
PROVIDER_NAV = [
    ("Patient Info", "providers:patient-info"),
    ("Transactions", "providers:transactions"),
    ("My Account", "providers:account"),
    ("Contact Us", "providers:support"),
]


def carrier(request):
    return {
        "carrier": settings.CARRIER,
        "broker_nav": BROKER_NAV,
        "employer_nav": EMPLOYER_NAV,
        "provider_nav": PROVIDER_NAV,
    }
