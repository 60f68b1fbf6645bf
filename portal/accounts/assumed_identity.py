"""Assumed Identity: a support agent views the portal exactly as one user sees it, read-only.

The agent stays signed in as themselves; their session remembers whom they assume, and this
middleware makes that user `request.user` for the rest of each request, so every permission
check, selector and template is the user's own. Meanwhile:

- every request that is not a read (POST, PUT, PATCH, DELETE) is refused with a 403 page,
  except "End assumed identity", and so is every page of the user's own sign-in settings
  (recovery codes, authenticators, email addresses);
- every page is an audit event under the agent, acting as the user (and every member record a
  page audits is too: portal.audit.services reads `request.assumed_by`);
- 30 minutes after it started it ends by itself, on the next request;
- ending puts the agent's session back as it was when they started, so nothing the user's
  pages kept in it (a chosen Broker ID, say) follows the agent back to the admin.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role, SupportAction
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

LIFETIME = timedelta(minutes=30)
SESSION_KEY = "portal_assumed_identity"
PERMISSION = "accounts.assume_identity"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The user's own sign-in settings (allauth): password, email addresses, authenticators and
# recovery codes are theirs alone, so even reading them is refused.
OWN_ACCOUNT_PREFIX = "/accounts/"


def assume_refusal(*, agent, user) -> str | None:
    """Why `agent` may not assume `user`'s identity, or None. Ops accounts are never assumed:
    the tool shows audience portals, and must not lend one agent another's admin rights."""
    if not agent.has_perm(PERMISSION):
        return "You do not have the Assumed Identity permission."
    if user.pk == agent.pk:
        return "You cannot assume your own identity."
    if user.is_superuser or user.is_staff or user.role == Role.OPS:
        return "Ops staff and superusers cannot be assumed: only portal users."
    if not user.is_active:
        return f"{user.display_name} is disabled: there is no portal to see as them."
    return None


@transaction.atomic
def assumed_identity_start(*, request, user, reason: str) -> SupportAction:
    """Start viewing the portal as `user`: ValidationError without a reason, PermissionDenied
    if assume_refusal says no.

    The start is a support action with its reason; the audit rows of the pages seen point at it.
    """
    agent = request.user
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for assuming this identity.")
    refusal = assume_refusal(agent=agent, user=user)
    if refusal:
        raise PermissionDenied(refusal)
    now = timezone.now()
    # One assumed identity at a time: one left open (a session that timed out, another
    # browser) ends now, or when its 30 minutes did.
    SupportAction.objects.filter(
        agent=agent, kind=SupportAction.Kind.ASSUME_IDENTITY, ended_at__isnull=True
    ).update(ended_at=Least(F("at") + LIFETIME, Value(now)))
    action = SupportAction.objects.create(
        kind=SupportAction.Kind.ASSUME_IDENTITY,
        agent=agent,
        user=user,
        reason=reason,
        at=now,
    )
    saved = {key: value for key, value in request.session.items() if key != SESSION_KEY}
    request.session[SESSION_KEY] = {"action": action.pk, "saved": saved}
    request.acting_as = user
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="accounts.SupportAction",
        object_ids=[action.pk],
    )
    return action


def assumed_identity_end(*, request, at=None) -> None:
    """Stop assuming: the support action gets its end, and the agent's session is restored."""
    state = request.session.pop(SESSION_KEY, None)
    if state is None:
        return
    SupportAction.objects.filter(
        pk=state["action"], kind=SupportAction.Kind.ASSUME_IDENTITY, ended_at__isnull=True
    ).update(ended_at=at or timezone.now())
    for key in list(request.session.keys()):
        del request.session[key]
    request.session.update(state["saved"])


def _current(request):
    """The agent's live assumed identity, or None if it was ended elsewhere."""
    state = request.session.get(SESSION_KEY)
    if state is None:
        return None
    return (
        SupportAction.objects.select_related("user")
        .filter(pk=state["action"], agent=request.user, ended_at__isnull=True)
        .first()
    )


def _back_to_admin(request, user_pk):
    if user_pk is None:
        target = reverse("admin:index")
    else:
        target = reverse("admin:accounts_user_change", args=[user_pk])
    if getattr(request, "htmx", False):
        return HttpResponse(headers={"HX-Redirect": target})
    return redirect(target)


class AssumedIdentityMiddleware:
    """Put the assumed user in `request.user`, read-only, audited, for 30 minutes at most.

    Runs after the agent's own session checks (lifetime, second factor), which stay the agent's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated or SESSION_KEY not in request.session:
            return self.get_response(request)
        agent = request.user
        action = _current(request)
        if action is None:
            # Ended elsewhere: the agent started another one (one at a time) in another browser.
            assumed_identity_end(request=request)
            messages.info(request, "Your assumed identity has ended.")
            return _back_to_admin(request, None)
        now = timezone.now()
        expires = action.at + LIFETIME
        if now >= expires or assume_refusal(agent=agent, user=action.user):
            assumed_identity_end(request=request, at=min(now, expires))
            messages.info(
                request,
                f"Your assumed identity of {action.user.display_name} has ended "
                f"(after {int(LIFETIME.total_seconds() // 60)} minutes at most).",
            )
            return _back_to_admin(request, action.user_id)

        request.assumed_identity = action
        request.assumed_identity_ends_at = expires
        if request.path == reverse("admin:accounts_user_assume_end"):
            # Ending is the agent's own request: it runs as them, not as the user.
            return self.get_response(request)

        request.assumed_by = agent
        request.acting_as = action.user
        request.user = action.user
        request.auser = self._auser(action.user)
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            object_type="accounts.SupportAction",
            object_ids=[action.pk],
        )
        if request.method not in SAFE_METHODS or request.path.startswith(OWN_ACCOUNT_PREFIX):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request):
        if getattr(request, "htmx", False):
            # htmx swaps no 403 into the page: reload it, with the reason as a message.
            messages.error(request, "Read-only: you are viewing the portal as someone else.")
            return HttpResponse(status=403, headers={"HX-Refresh": "true"})
        return render(request, "portal/assumed_identity_refused.html", status=403)

    @staticmethod
    def _auser(user):
        async def auser():
            return user

        return auser
