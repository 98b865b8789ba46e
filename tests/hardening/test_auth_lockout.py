"""POST /api/auth/token/ and /admin/login/: a rate per client address, and a lockout after repeated failures.

Found by the attack run: both answered ~440 password guesses a minute, each one a password hash of CPU.
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.hardening.addresses import new_address

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"
ADMIN_LOGIN_URL = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model, fast_hashing):
    """Users with a name of this test alone: lockout counters outlive a test run in Redis."""

    def make(**extra):
        name = f"u{uuid.uuid4().hex[:12]}"
        return django_user_model.objects.create_user(username=name, password=PASSWORD, **extra)

    return make


@pytest.fixture
def limits(settings):
    """A lockout after 3 failures for 60 s, and a rate no lockout test reaches."""
    settings.AUTH_THROTTLE = "1000/min"
    settings.AUTH_LOCKOUT_FAILURES = 3
    settings.AUTH_LOCKOUT_SECONDS = 60
    return settings


def _token(client, username: str, password: str, address: str):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def _admin_login(client, username: str, password: str, address: str):
    # `next` as the login form's hidden field sends it.
    form = {"username": username, "password": password, "next": "/admin/"}
    return client.post(ADMIN_LOGIN_URL, form, REMOTE_ADDR=address)


def _assert_locked_out(response, at_most: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= at_most


def test_the_token_endpoint_is_throttled_per_client_address(api_client, make_user, settings):
    settings.AUTH_THROTTLE = "3/min"
    settings.AUTH_LOCKOUT_FAILURES = 100
    user, address = make_user(), new_address()
    codes = [_token(api_client, user.username, "wrong", address).status_code for _ in range(3)]
    assert codes == [400, 400, 400]
    limited = _token(api_client, user.username, PASSWORD, address)  # even the right password waits
    _assert_locked_out(limited, 60)
    assert _token(api_client, user.username, PASSWORD, new_address()).status_code == 200


def test_the_token_endpoint_locks_a_username_out_after_repeated_failures(api_client, make_user, limits):
    user, bystander = make_user(), make_user()
    # From a new address each time: rotating addresses does not help a guesser.
    assert [_token(api_client, user.username, f"guess{i}", new_address()).status_code for i in range(3)] == [400] * 3
    address = new_address()
    _assert_locked_out(_token(api_client, user.username, PASSWORD, address), 60)
    _assert_locked_out(_token(api_client, user.username.upper(), PASSWORD, address), 60)  # same name, other case
    assert _token(api_client, bystander.username, PASSWORD, address).status_code == 200


def test_the_token_endpoint_locks_an_address_out_after_repeated_failures(api_client, make_user, limits):
    user, address = make_user(), new_address()
    # Another username each time: spraying one password over many accounts is counted per address too.
    assert [_token(api_client, f"nobody{i}", "guess", address).status_code for i in range(3)] == [400] * 3
    _assert_locked_out(_token(api_client, user.username, PASSWORD, address), 60)
    assert _token(api_client, user.username, PASSWORD, new_address()).status_code == 200


def test_a_lockout_ends_after_its_period(api_client, make_user, limits):
    limits.AUTH_LOCKOUT_SECONDS = 1
    user, address = make_user(), new_address()
    for _ in range(3):
        _token(api_client, user.username, "wrong", address)
    _assert_locked_out(_token(api_client, user.username, PASSWORD, address), 1)
    time.sleep(1.2)
    assert _token(api_client, user.username, PASSWORD, address).status_code == 200


def test_the_admin_login_is_throttled_per_client_address(client, make_user, settings):
    settings.AUTH_THROTTLE = "2/min"
    settings.AUTH_LOCKOUT_FAILURES = 100
    staff, address = make_user(is_staff=True), new_address()
    assert [_admin_login(client, staff.username, "wrong", address).status_code for _ in range(2)] == [200, 200]
    _assert_locked_out(_admin_login(client, staff.username, PASSWORD, address), 60)
    assert client.get(ADMIN_LOGIN_URL, REMOTE_ADDR=address).status_code == 200  # the form itself still shows
    logged_in = _admin_login(client, staff.username, PASSWORD, new_address())
    assert logged_in.status_code == 302 and logged_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_locks_out_after_repeated_failures(client, make_user, limits):
    staff = make_user(is_staff=True)
    for _ in range(3):
        page = _admin_login(client, staff.username, "wrong", new_address())
        assert page.status_code == 200 and b"Please enter the correct username and password" in page.content
    address = new_address()
    locked = _admin_login(client, staff.username, PASSWORD, address)
    _assert_locked_out(locked, 60)
    assert b"Too many" in locked.content
    assert client.get("/admin/").status_code == 302  # not logged in
    # The token endpoint shares the lockout: it is one account, whichever door is used.
    _assert_locked_out(_token(client, staff.username, PASSWORD, address), 60)


def test_a_successful_login_forgets_earlier_failures_of_its_username(api_client, make_user, limits):
    user = make_user()
    for _ in range(2):
        _token(api_client, user.username, "typo", new_address())
    assert _token(api_client, user.username, PASSWORD, new_address()).status_code == 200
    for _ in range(2):
        _token(api_client, user.username, "typo", new_address())
    assert _token(api_client, user.username, PASSWORD, new_address()).status_code == 200
    for _ in range(3):  # three in a row do lock it
        _token(api_client, user.username, "typo", new_address())
    _assert_locked_out(_token(api_client, user.username, PASSWORD, new_address()), 60)
