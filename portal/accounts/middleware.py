import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url

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
                if getattr(request, "htmx", False):
                    return HttpResponse(headers={"HX-Redirect": resolve_url(settings.LOGIN_URL)})
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


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's: every page needs a login unless marked public. For an htmx request (a progress
    bar polling, say) whose session has ended, the whole page goes to the login, rather than the
    login form being swapped into a corner of the page."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            page = request.htmx.current_url_abs_path or request.get_full_path()
            login = redirect_to_login(page, resolve_url(self.get_login_url(view_func)))
            return HttpResponse(headers={"HX-Redirect": login["Location"]})
        return super().handle_no_permission(request, view_func)
