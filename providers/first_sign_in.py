"""The first sign-in with a temporary password, enforced on every page until it is done.

A user a delegated administrator created signs in with the temporary password emailed to them
and must then, before anything else: accept the terms, choose their own password, and enrol an
authenticator (allauth's TOTP). The new password takes effect with the authenticator, in one
transaction, so a first sign-in left half-way leaves the temporary password in force and is
started again at the next sign-in.

Whether a session still owes its first sign-in is decided once, when it signs in, and kept in
the session: the pages themselves run no query for it.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from portal.accounts.models import Role
from providers.models import ProviderUser

PENDING_KEY = "providers_first_sign_in"
# The hash of the password chosen in the second step, kept until the authenticator is enrolled:
# the same hash the user table would hold, never the password itself.
PASSWORD_HASH_KEY = "providers_first_sign_in_password"  # noqa: S105 - a session key
TOTP_SECRET_KEY = "providers_first_sign_in_totp"  # noqa: S105 - a session key

# Reachable during the first sign-in: its own pages, signing out, the terms, and allauth's
# authenticator pages with the password check they may ask for (where PORTAL_REQUIRE_MFA
# sends everyone without an authenticator, first).
ALLOWED_PREFIXES = (
    "/static/",
    "/healthz",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
)
ALLOWED_URL_NAMES = (
    "providers:first-sign-in",
    "providers:first-sign-in-terms",
    "providers:first-sign-in-password",
    "providers:first-sign-in-authenticator",
    "terms",
)


@receiver(user_logged_in, dispatch_uid="providers_first_sign_in")
def first_sign_in_mark(sender, request, user, **kwargs):
    if user.role != Role.PROVIDER_USER or request is None or not hasattr(request, "session"):
        return
    if ProviderUser.objects.filter(user=user, must_change_password=True).exists():
        request.session[PENDING_KEY] = True
    else:
        request.session.pop(PENDING_KEY, None)


def first_sign_in_done(request) -> None:
    for key in (PENDING_KEY, PASSWORD_HASH_KEY, TOTP_SECRET_KEY):
        request.session.pop(key, None)


class FirstSignInMiddleware:
    """Sends a session that owes its first sign-in to it, from any other page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths = None

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and request.session.get(PENDING_KEY)
            and not self._allowed(request.path)
        ):
            target = reverse("providers:first-sign-in")
            if getattr(request, "htmx", False):
                return HttpResponse(headers={"HX-Redirect": target})
            return redirect(target)
        return self.get_response(request)

    def _allowed(self, path):
        if self._allowed_paths is None:
            self._allowed_paths = {reverse(name) for name in ALLOWED_URL_NAMES}
        return path in self._allowed_paths or path.startswith(ALLOWED_PREFIXES)
