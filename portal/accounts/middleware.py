import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

SESSION_STARTED_KEY = "portal_session_started_at"
MFA_ENROLLED_KEY = "portal_mfa_enrolled"


class SessionLifetimeMiddleware:
    """Ends a session at its absolute cap, however active it has been.

    The idle timeout is Django's own: a session cookie that lives SESSION_COOKIE_AGE seconds
    and is renewed on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class RequireMFAMiddleware:
    """Where PORTAL_REQUIRE_MFA is on, a user without a second factor may only set one up."""

    ALWAYS_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PORTAL_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.ALWAYS_ALLOWED_PREFIXES)
            and not self._enrolled(request)
        ):
            messages.info(request, "Set up two-step verification to continue.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _enrolled(self, request):
        if request.session.get(MFA_ENROLLED_KEY):
            return True
        from allauth.mfa.models import Authenticator

        enrolled = Authenticator.objects.filter(user=request.user).exists()
        if enrolled:
            request.session[MFA_ENROLLED_KEY] = True
        return enrolled
