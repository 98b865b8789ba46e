"""The guard of every HTML login form (the admin's, the storefront's): the AUTH_THROTTLE rate per client
address, then the lockout after repeated failures (lockout.py); a refused attempt is a small 429 page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ecommerce_backend import lockout
from ecommerce_backend.throttling import AuthRateThrottle, client_address


def too_many_attempts(wait: int) -> HttpResponse:
    """429 with Retry-After, as a small page (the login forms are HTML)."""
    response = HttpResponse(
        f"<h1>Too many login attempts</h1><p>{lockout.MESSAGE} Retry in {wait} seconds.</p>",
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def guarded_login(request: HttpRequest, login: Callable[[], HttpResponse]) -> HttpResponse:
    """Run `login` (a Django login view) for a POST that passes the rate and the lockout, and count its outcome:
    a successful login redirects with the user logged in, a refused one renders the form again."""
    if request.method != "POST":
        return login()
    throttle = AuthRateThrottle()
    if not throttle.allow_request(request, None):
        return too_many_attempts(max(1, int(throttle.wait() or 1)))
    username = str(request.POST.get("username", ""))
    address = client_address(request)
    wait = lockout.retry_after(username, address)
    if wait:
        return too_many_attempts(wait)
    response = login()
    if response.status_code == 302 and request.user.is_authenticated:
        lockout.record_success(username)
    elif username:
        lockout.record_failure(username, address)
    return response
