"""Checkout and the order confirmation, over the order placement service (sign-in required, as for the API)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from apps.orders.selectors import find_cart, orders_visible_to, priced_cart
from apps.orders.services.placement import IdempotencyKeyReused, OrderRefused, place_order
from apps.orders.web import cart_owner
from apps.storefront.forms import CheckoutForm


def _page(request: HttpRequest, form: CheckoutForm, status: int = 200, refused: OrderRefused | None = None):
    owner = cart_owner(request)  # merges the browser's anonymous cart into the user's
    cart = priced_cart(find_cart(user_id=owner.user_id, token=owner.token))
    return render(request, "storefront/checkout.html", {"form": form, "cart": cart, "refused": refused},
                  status=status)


@login_required(login_url="storefront:sign-in")
def checkout(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        user = request.user
        initial = {"name": user.get_full_name(), "email": user.email, "idempotency_key": uuid.uuid4().hex}
        return _page(request, CheckoutForm(initial=initial))
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    cart_owner(request)  # an anonymous cart of this browser joins the user's before placing
    data = form.cleaned_data
    try:
        placement = place_order(request.user.pk, name=data["name"], email=data["email"], address=data["address"],
                                idempotency_key=data["idempotency_key"])
    except OrderRefused as exc:
        # Nothing was written: the page shows each line's reasons from the configurator.
        return _page(request, form, status=409, refused=exc)
    except ValidationError as exc:
        for field, messages in (exc.message_dict if hasattr(exc, "error_dict") else {}).items():
            form.add_error(None, f"{field}: {' '.join(messages)}")
        return _page(request, form, status=400)
    except IdempotencyKeyReused:
        form.add_error(None, "This checkout form was already used for another order; reload the page.")
        return _page(request, form, status=422)
    return redirect("storefront:order", pk=placement.order.pk)


@login_required(login_url="storefront:sign-in")
def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(orders_visible_to(request.user), pk=pk)
    return render(request, "storefront/order.html", {"order": order})
