"""Five failed sign-ins in a row lock an account until a password reset; a locked office staff
user's broker hears of it in Recent Activity and by email."""

from django.core.cache import cache
from django.urls import reverse

from portal.accounts.models import User, UserStatus
from portal.accounts.services import LOCKOUT_THRESHOLD
from portal.activity.models import Activity
from tests.factories import PASSWORD


def _fail(client, email, times):
    for _ in range(times):
        client.post(reverse("account_login"), {"login": email, "password": "wrong password 1"})


def test_the_fifth_failure_locks_and_the_right_password_then_shows_the_locked_page(cast, client):
    _fail(client, "staff@demo.test", LOCKOUT_THRESHOLD - 1)
    assert User.objects.get(pk=cast.staff.pk).status == UserStatus.ACTIVE
    _fail(client, "staff@demo.test", 1)
    assert User.objects.get(pk=cast.staff.pk).status == UserStatus.LOCKED

    # allauth's rate limit (five failures per address in five minutes) would answer first; the
    # lock outlives it, so let its window pass.
    cache.clear()
    response = client.post(
        reverse("account_login"), {"login": "staff@demo.test", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert b"Your account is locked" in response.content
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_threshold_starts_the_count_again(cast, client):
    _fail(client, "broker@demo.test", LOCKOUT_THRESHOLD - 1)
    client.post(reverse("account_login"), {"login": "broker@demo.test", "password": PASSWORD})
    assert User.objects.get(pk=cast.broker.pk).failed_login_count == 0


def test_a_locked_staff_user_is_reported_to_their_broker(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, "staff@demo.test", LOCKOUT_THRESHOLD)

    activity = Activity.objects.get(recipient=cast.broker)
    assert "locked out" in activity.summary and "staff@demo.test" in activity.summary
    assert [m.to for m in mailoutbox] == [["broker@demo.test"]]
    assert "locked out" in mailoutbox[0].subject
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_a_password_reset_unlocks(cast):
    from allauth.account.adapter import get_adapter

    User.objects.filter(pk=cast.staff.pk).update(
        locked_at="2026-11-01T00:00Z", failed_login_count=5
    )
    staff = User.objects.get(pk=cast.staff.pk)
    get_adapter().set_password(staff, "a brand new passphrase")
    staff.refresh_from_db()
    assert staff.status == UserStatus.ACTIVE and staff.failed_login_count == 0
