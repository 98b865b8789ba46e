"""Signing in merges the browser's anonymous cart into the user's cart."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from apps.orders.web import merge_session_cart


@receiver(user_logged_in, dispatch_uid="orders_merge_cart_at_login")
def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        merge_session_cart(request, user.pk)
