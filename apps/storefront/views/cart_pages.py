"""The cart page and its forms, over the cart service and the cart selector (re-priced on every read)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.orders.models import CartLine
from apps.orders.selectors import find_cart, priced_cart
from apps.orders.services import cart as cart_service
from apps.orders.web import cart_owner
from apps.storefront.forms import AddToCartForm, LineChangeForm
from apps.storefront.views.invalid import invalid_input


def cart(request: HttpRequest) -> HttpResponse:
    owner = cart_owner(request)
    current = find_cart(user_id=owner.user_id, token=owner.token)
    return render(request, "storefront/cart.html", {"cart": priced_cart(current)})


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        return invalid_input(request, form)
    data = form.cleaned_data
    try:
        cart_service.add_line(
            cart_owner(request, create=True),
            quantity=data["quantity"] or 1,
            product=data["product"],
            category=data["category"],
            options=data["options"] if data["category"] is not None else None,
        )
    except ValidationError as exc:
        # The cart service's refusal names the field (product, options, quantity, cart).
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"cart": exc.messages}
        return render(request, "storefront/invalid.html", {"errors": errors}, status=400)
    messages.success(request, "Added to your cart.")
    return redirect("storefront:cart")


@require_POST
def change_line(request: HttpRequest, line_id: int) -> HttpResponse:
    form = LineChangeForm(request.POST)
    if not form.is_valid():
        return invalid_input(request, form)
    owner = cart_owner(request)
    try:
        if form.cleaned_data["remove"]:
            cart_service.remove_line(owner, line_id)
            messages.success(request, "The line was removed.")
        else:
            cart_service.set_quantity(owner, line_id, form.cleaned_data["quantity"])
    except CartLine.DoesNotExist:
        messages.error(request, "That line is no longer in your cart.")
    return redirect("storefront:cart")
