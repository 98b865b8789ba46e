"""The payment seam: how an order is paid, called when it is placed. One implementation for now, pay on
delivery (nothing is charged; staff mark the order paid). Chosen by ORDERS_PAYMENT_METHOD."""

from __future__ import annotations

from django.conf import settings

from apps.orders.models import Order


class PaymentMethod:
    """Starts the payment of a just-placed order (inside the placing transaction) and returns its status."""

    name = "payment"

    def start(self, order: Order) -> str:
        raise NotImplementedError


class PayOnDelivery(PaymentMethod):
    """Nothing to charge now: the order stays `placed` until staff mark it `paid`."""

    name = "pay_on_delivery"

    def start(self, order: Order) -> str:
        return Order.Status.PLACED


PAYMENT_METHODS: dict[str, type[PaymentMethod]] = {PayOnDelivery.name: PayOnDelivery}


def get_payment_method() -> PaymentMethod:
    return PAYMENT_METHODS[settings.ORDERS_PAYMENT_METHOD]()
