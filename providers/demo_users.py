"""Delegated administration's part of the demo: the users provider@ manages.

A few end users of the cast's medical group beside provideruser@ (claims on both Tax IDs, one
acting for two individual providers only, one disabled), one who has not signed in yet, so
that Manage Users has something to search and filter, and provider@'s Recent Activity the
lines those users would have made. newclerk@demo.test signs in with the demo password and is
taken through the first sign-in (terms, a new password, an authenticator), as a user created
with Create New User would be with the temporary password from their email.
"""

from django.urls import reverse

from portal.accounts.models import Role
from portal.activity.services import activity_record
from portal.demo import cast
from providers.models import Practitioner
from providers.services import provider_user_add

# (email, first name, last name, functions on top of eligibility, Tax IDs: how many)
END_USERS = [
    ("billing.desk@demo.test", "Harper", "Lindqvist", ("inquire_claims",), 2),
    ("referrals@demo.test", "Imani", "Okafor", ("check_authorizations",), 1),
    ("front.desk@demo.test", "Mateo", "Serrano", (), 2),
]


def office_users(world, provider, password_hash) -> None:
    tenants = world.tenants
    organization, tax_ids = tenants.medical_group, tenants.medical_group_tax_ids
    made = []
    for email, first, last, functions, how_many in END_USERS:
        user = cast.login_create(email, first, last, Role.PROVIDER_USER, password_hash)
        made.append(
            provider_user_add(
                organization=organization,
                user=user,
                tax_ids=tax_ids[:how_many],
                functions=functions,
                by=provider,
            )
        )
    # The referral coordinator acts for two of the group's providers only.
    practitioners = Practitioner.objects.filter(tax_ids=tax_ids[0]).order_by("npi")[:2]
    made[1].practitioners.set(practitioners)
    # The front desk's account was disabled when they left.
    made[2].user.is_active = False
    made[2].user.save(update_fields=["is_active"])

    newclerk = cast.login_create(
        "newclerk@demo.test", "Rowan", "Achebe", Role.PROVIDER_USER, password_hash
    )
    pending = provider_user_add(
        organization=organization, user=newclerk, tax_ids=tax_ids[:1], by=provider
    )
    pending.must_change_password = True
    pending.save(update_fields=["must_change_password"])

    # What provider@'s Recent Activity would say had they done all this in the portal.
    name = provider.display_name
    for profile, summary in (
        (made[0], f"{name} created Harper Lindqvist (an end user)."),
        (made[0], "Harper Lindqvist signed in for the first time and set up their account."),
        (made[2], f"{name} disabled Mateo Serrano."),
        (pending, f"{name} created Rowan Achebe (an end user)."),
    ):
        link = reverse("providers:user-detail", args=[profile.user_id])
        activity_record(recipients=[provider], summary=summary, actor=provider, link=link)
