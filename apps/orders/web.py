"""Whose cart a request means: the signed-in user's, else the anonymous browser's (a token in its Django
session). An anonymous cart is merged into the user's when the browser signs in (signals.py) and when a
token-authenticated request still carries the anonymous session cookie."""

from __future__ import annotations

from django.http import HttpRequest

from apps.orders.services.cart import CartOwner, merge_anonymous_cart

SESSION_CART_TOKEN = "cart_token"


def merge_session_cart(request: HttpRequest, user_id: int) -> None:
    """Merge the session's anonymous cart (if any) into the user's, and forget its token."""
    session = getattr(request, "session", None)
    token = session.get(SESSION_CART_TOKEN) if session is not None else None
    if token:
        merge_anonymous_cart(token, user_id)
        del session[SESSION_CART_TOKEN]


def cart_owner(request: HttpRequest, *, create: bool = False) -> CartOwner:
    """The request's cart owner; with `create`, an anonymous browser without a cart token gets one (and a
    session cookie)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        merge_session_cart(request, user.pk)
        return CartOwner(user_id=user.pk)
    session = request.session
    token = session.get(SESSION_CART_TOKEN)
    if token is None and create:
        token = CartOwner.new_token()
        session[SESSION_CART_TOKEN] = token
    return CartOwner.anonymous(token)
