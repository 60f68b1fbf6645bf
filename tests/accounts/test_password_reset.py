import datetime
from unittest import mock

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.urls import reverse


def test_reset_answers_the_same_for_known_and_unknown_addresses(
    cast, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "broker@demo.test"})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@demo.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert mail.outbox[0].to == ["broker@demo.test"]
    assert "password/reset/key/" in mail.outbox[0].body


def test_reset_links_expire(cast, client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    user = cast.broker
    key = default_token_generator.make_token(user)
    url = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    assert default_token_generator.check_token(user, key)
    later = default_token_generator._now() + datetime.timedelta(hours=2)
    with mock.patch.object(type(default_token_generator), "_now", return_value=later):
        assert not default_token_generator.check_token(user, key)
        response = client.get(url, follow=True)
    assert response.context["token_fail"]


def test_reset_is_rate_limited(cast, client):
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": "broker@demo.test"})
    response = client.post(reverse("account_reset_password"), {"email": "broker@demo.test"})
    assert response.status_code == 429
