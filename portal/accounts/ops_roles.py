"""The carrier's ops staff work in the Django admin with the permissions of their role.

Each role is a Django auth group kept in step with this table after every migrate, so a new model
gets its permissions here, in review, rather than by hand in production. Roles are least
privilege and combine: a person holds the few their job needs.

No role makes anyone a superuser, and a role holder cannot change anyone's roles: superusers are
the platform team alone (created with `manage.py createsuperuser`), and they assign the roles.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

VIEW = ["view"]
EDIT = ["view", "add", "change"]

SUPPORT = "Ops: support (read-only)"
ACCOUNT_SUPPORT = "Ops: account support"
BROKER_SERVICES = "Ops: broker services"
EMPLOYER_SERVICES = "Ops: employer services"
PROVIDER_RELATIONS = "Ops: provider relations"
SECURITY = "Ops: security"
ADMINISTRATOR = "Ops: administrator"

OPS_ROLES = {
    # Answers the phone: reads the business records, changes nothing, and may look at the
    # portal as a caller sees it (Assumed Identity, read-only itself).
    SUPPORT: {
        "accounts.user": VIEW,
        "accounts.registrationtoken": VIEW,
        "account.emailaddress": VIEW,
        "accounts.supportaction": ["assume_identity"],
        "activity.activity": VIEW,
        "jobs.reportjob": VIEW,
        "enrollment.*": VIEW,
        "billing.*": VIEW,
        "commissions.*": VIEW,
        "brokers.*": VIEW,
        "employers.*": VIEW,
        "providers.*": VIEW,
    },
    # Helps a verified caller back into their account: unlock, a new registration link, a
    # forced password reset, a reset second factor. Each asks for a reason and is audited.
    ACCOUNT_SUPPORT: {
        "accounts.user": VIEW,
        "accounts.registrationtoken": VIEW,
        "account.emailaddress": VIEW,
        "mfa.authenticator": VIEW,
        "accounts.supportaction": ["view", "support_account", "reset_mfa"],
    },
    # Contracting records, brokers and their agencies, licenses, Broker IDs, commissions.
    BROKER_SERVICES: {
        "accounts.user": VIEW,
        "brokers.*": EDIT,
        "commissions.*": EDIT,
        # Broker of record and statements point at groups: looked up, never changed here.
        "enrollment.employer": VIEW,
        "enrollment.parentgroup": VIEW,
        "enrollment.group": VIEW,
    },
    # Employer accounts (their administrators, registration keys, documents) and billing
    # verification: amount-change requests, with the bills and payment accounts behind them.
    EMPLOYER_SERVICES: {
        "accounts.user": VIEW,
        "employers.*": EDIT,
        "enrollment.employer": VIEW,
        "enrollment.parentgroup": VIEW,
        "enrollment.group": VIEW,
        "billing.amountchangerequest": EDIT,
        "billing.invoice": VIEW,
        "billing.paymentaccount": VIEW,
    },
    # The registration approval queue and the provider records it is checked against.
    PROVIDER_RELATIONS: {
        "accounts.user": VIEW,
        "providers.registrationrequest": EDIT,
        "providers.providerorganization": EDIT,
        "providers.taxid": EDIT,
        "providers.practitioner": EDIT,
        "providers.medicalpolicy": EDIT,
    },
    # Reviews who saw what (the audit log, ops' support actions) and who can see what (users,
    # roles and the grants behind them).
    SECURITY: {
        "audit.auditevent": VIEW,
        "accounts.supportaction": VIEW,
        "accounts.user": VIEW,
        "accounts.registrationtoken": VIEW,
        "account.emailaddress": VIEW,
        "mfa.authenticator": VIEW,
        "auth.group": VIEW,
        "enrollment.groupuserobjectpermission": VIEW,
        "enrollment.groupgroupobjectpermission": VIEW,
        "providers.taxiduserobjectpermission": VIEW,
        "providers.taxidgroupobjectpermission": VIEW,
        "brokers.brokerofrecord": VIEW,
        "brokers.uplineaccess": VIEW,
        "employers.brokeraccessgrant": VIEW,
        "employers.employeradmin": VIEW,
    },
    # Runs the portal's data and users. Not a superuser, and without the audit log (security).
    ADMINISTRATOR: {
        "accounts.user": EDIT,
        "accounts.registrationtoken": VIEW,
        "accounts.supportaction": ["view", "support_account", "reset_mfa"],
        "account.emailaddress": EDIT,
        "activity.activity": VIEW,
        # Second factors are reset only with a recorded reason (Reset two-step verification).
        "mfa.authenticator": VIEW,
        "auth.group": VIEW,
        "jobs.reportjob": ["view", "delete"],
        "enrollment.*": EDIT,
        "billing.*": EDIT,
        "commissions.*": EDIT,
        "brokers.*": EDIT,
        "employers.*": EDIT,
        "providers.*": EDIT,
    },
}

# Roles that were split up: their members get the roles that replace them, then they go.
RETIRED_ROLES = {
    "Ops: contracting": [BROKER_SERVICES, PROVIDER_RELATIONS],
}

# Append-only records: nobody may change or delete them, whatever their role says.
APPEND_ONLY = {"audit.auditevent", "enrollment.enrollmentevent", "accounts.supportaction"}
MODEL_ACTIONS = {"view", "add", "change", "delete"}


def role_permissions(role, Permission):
    """The permissions a role's table names: a model's view/add/change/delete by action, and
    the model's own permissions (`assume_identity`) by codename."""
    wanted = OPS_ROLES[role]
    perms = Permission.objects.select_related("content_type")
    chosen = []
    for perm in perms:
        app, model = perm.content_type.app_label, perm.content_type.model
        actions = wanted.get(f"{app}.{model}", wanted.get(f"{app}.*", []))
        action = perm.codename.split("_", 1)[0]
        if perm.codename == f"{action}_{model}" and action in MODEL_ACTIONS:
            if f"{app}.{model}" in APPEND_ONLY and action != "view":
                continue
            if action in actions:
                chosen.append(perm)
        elif perm.codename in actions:
            chosen.append(perm)
    return chosen


def sync_ops_groups(sender, using="default", apps=global_apps, **kwargs):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in OPS_ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(role_permissions(role, Permission))
    for retired, replacements in RETIRED_ROLES.items():
        old = Group.objects.using(using).filter(name=retired).first()
        if old is None:
            continue
        members = list(old.user_set.all())
        for name in replacements:
            Group.objects.using(using).get(name=name).user_set.add(*members)
        old.delete()
