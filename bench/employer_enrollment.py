"""Manage Enrollment's search list as employer@ (the demo's primary client administrator, who
sees every suffix of their employer) pages through it: the first page, the last page, and
searches by SSN (the keyed digest, an indexed equality), by last-name prefix and by status.

The list pages with Django's Paginator (a COUNT and an OFFSET) over one employer's members, at
most a few tens of thousands; every page writes one audit row per employee it shows (25).
"""

from bench import scenario
from employers.selectors import subscribers_search_for
from enrollment.models import Member
from portal.accounts.models import User

EMPLOYER = "employer@demo.test"
PER_PAGE = 25


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _employees():
    return subscribers_search_for(User.objects.get(email=EMPLOYER))


@scenario("employer-enrollment-first-page", baseline="bare-view", repeat=200)
def enrollment_first_page(ctx):
    """employer@'s employees, first page, by name."""
    client = ctx.client_for(EMPLOYER)
    return lambda: _get(client, "/employers/enrollment/")


@scenario("employer-enrollment-last-page", baseline="bare-view", repeat=200)
def enrollment_last_page(ctx):
    """employer@'s employees, last page, by name."""
    client = ctx.client_for(EMPLOYER)
    last = max(1, -(-_employees().count() // PER_PAGE))
    return lambda: _get(client, f"/employers/enrollment/?page={last}")


@scenario("employer-enrollment-ssn", baseline="bare-view", repeat=200)
def enrollment_ssn(ctx):
    """One of employer@'s employees found by SSN: the digest, never a decrypted row."""
    client = ctx.client_for(EMPLOYER)
    member = _employees().exclude(ssn="").first()
    return lambda: _get(client, f"/employers/enrollment/?ssn={member.ssn}")


@scenario("employer-enrollment-name-status", baseline="bare-view", repeat=200)
def enrollment_name_status(ctx):
    """employer@'s active employees whose last name starts with two letters, by subscriber ID."""
    client = ctx.client_for(EMPLOYER)
    prefix = _employees().values_list("last_name", flat=True).first()[:2]
    status = Member.Status.ACTIVE
    return lambda: _get(client, f"/employers/enrollment/?name={prefix}&status={status}&sort=id")
