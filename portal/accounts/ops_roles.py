"""The carrier's ops staff work in the Django admin with the permissions of their role.

Each role is a Django auth group kept in step with this table after every migrate, so a new model
gets its permissions here, in review, rather than by hand in production.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

VIEW = ["view"]
EDIT = ["view", "add", "change"]

OPS_ROLES = {
    # Answers the phone: reads everything, changes nothing.
    "Ops: support (read-only)": {
        "accounts.user": VIEW,
        "accounts.registrationtoken": VIEW,
        "account.emailaddress": VIEW,
        "audit.auditevent": VIEW,
        "activity.activity": VIEW,
        "jobs.reportjob": VIEW,
        "enrollment.*": VIEW,
        "billing.*": VIEW,
        "commissions.*": VIEW,
        "brokers.*": VIEW,
        "employers.*": VIEW,
        "providers.*": VIEW,
    },
    # Keeps contracting records, broker and provider registrations up to date.
    "Ops: contracting": {
        "accounts.user": VIEW,
        "brokers.*": EDIT,
        "providers.providerorganization": EDIT,
        "providers.taxid": EDIT,
        "providers.practitioner": EDIT,
        "providers.provideruser": EDIT,
        # Provider relations: the registration verification queue (approve, reject).
        "providers.registrationrequest": EDIT,
        "employers.*": EDIT,
        "enrollment.employer": VIEW,
        "enrollment.group": VIEW,
    },
    # Runs the portal: users, data and audit review. Still not a superuser.
    "Ops: administrator": {
        "accounts.user": EDIT,
        "accounts.registrationtoken": VIEW,
        "account.emailaddress": EDIT,
        "activity.activity": VIEW,
        "mfa.authenticator": ["view", "delete"],
        "auth.group": VIEW,
        "audit.auditevent": VIEW,
        "jobs.reportjob": ["view", "delete"],
        "enrollment.*": EDIT,
        "billing.*": EDIT,
        "commissions.*": EDIT,
        "brokers.*": EDIT,
        "employers.*": EDIT,
        "providers.*": EDIT,
    },
}

# Append-only records: nobody may change or delete them, whatever their role says.
APPEND_ONLY = {"audit.auditevent", "enrollment.enrollmentevent"}


def role_permissions(role, Permission):
    wanted = OPS_ROLES[role]
    perms = Permission.objects.select_related("content_type")
    chosen = []
    for perm in perms:
        app, model = perm.content_type.app_label, perm.content_type.model
        actions = wanted.get(f"{app}.{model}", wanted.get(f"{app}.*", []))
        action = perm.codename.split("_", 1)[0]
        if f"{app}.{model}" in APPEND_ONLY and action != "view":
            continue
        if perm.codename == f"{action}_{model}" and action in actions:
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
