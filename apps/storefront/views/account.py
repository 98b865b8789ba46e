"""Customer sign-in, sign-out and sign-up (placing an order needs an account, as in the API).

Sign-in goes through the same rate limit and lockout as the admin's login (ecommerce_backend/login_guard.py);
signing in merges this browser's anonymous cart into the account's (apps/orders/signals.py).
"""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ecommerce_backend.login_guard import guarded_login, too_many_attempts
from ecommerce_backend.throttling import AuthRateThrottle


class SignInView(LoginView):
    template_name = "storefront/sign_in.html"
    redirect_authenticated_user = True
    next_page = "storefront:home"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return guarded_login(request, lambda: super(SignInView, self).post(request, *args, **kwargs))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("storefront:home")


def sign_up(request: HttpRequest) -> HttpResponse:
    """A customer account: Django's user creation form with the password validators of the settings. Creating
    accounts is held to the login rate per client address (AUTH_THROTTLE)."""
    if request.method == "POST":
        throttle = AuthRateThrottle()
        if not throttle.allow_request(request, None):
            return too_many_attempts(max(1, int(throttle.wait() or 1)))
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("storefront:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "storefront/sign_up.html", {"form": form, "next": request.GET.get("next", "")},
                  status=status)
