"""Placing orders while staff change the catalog, with real threads and connections (transaction=True).

On PostgreSQL the placement locks the options' rows (SELECT ... FOR UPDATE, in id order); on SQLite writers are
serialised by the database (IMMEDIATE transactions). Either way each order is placed whole with the prices of
its moment, or refused with nothing written.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.catalog.models import PartOption
from apps.orders.models import CartLine, Order, OrderLine
from apps.orders.services import placement
from apps.orders.services.cart import CartOwner, add_line
from tests.fixtures.api import build_bicycle_catalog

from .conftest import ADDRESS, BIKE, token_client

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(target, results: dict, name: str) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = target()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.fixture
def shop(django_user_model, staff_client, settings):
    settings.AI_INDEX_AUTO_UPDATE = False
    catalog = build_bicycle_catalog()
    customers = [django_user_model.objects.create_user(username=f"c{n}") for n in range(2)]
    for customer in customers:
        add_line(CartOwner(user_id=customer.pk), category=catalog.category.pk, options=catalog.ids(*BIKE))
    return catalog, customers


def test_an_order_holding_the_lock_is_placed_at_its_price_and_the_next_one_is_refused(shop, staff_client,
                                                                                     monkeypatch):
    catalog, (first, second) = shop
    black = catalog.option("black")
    locked, release = threading.Event(), threading.Event()
    original = placement.price_lines

    def price_lines_then_wait(lines):
        priced = original(lines)
        if threading.current_thread().name == "first":
            locked.set()  # the first order holds the options' locks now
            assert release.wait(10)
        return priced

    monkeypatch.setattr(placement, "price_lines", price_lines_then_wait)
    results: dict = {}
    threads = [_in_thread(lambda: token_client(first).post("/api/orders/", ADDRESS, format="json"), results, "first")]
    assert locked.wait(10)
    # Staff mark the last in-stock rim colour out of stock and raise its price, while the first order is open.
    threads.append(_in_thread(
        lambda: staff_client.patch(f"/api/part-options/{black.pk}/", {"in_stock": False, "default_price": "25.00"},
                                   format="json"), results, "staff"))
    threads[-1].join(0.5)
    assert threads[-1].is_alive(), "the staff write must wait for the order holding the option's lock"
    release.set()
    for thread in threads:
        thread.join(20)
    second_response = token_client(second).post("/api/orders/", ADDRESS, format="json")

    assert results["first"].status_code == 201, results["first"].content
    assert results["first"].json()["total"] == "328.00"  # the price of its moment
    assert results["staff"].status_code == 200
    assert second_response.status_code == 409
    assert [e["code"] for e in second_response.json()["lines"][0]["errors"]] == ["out_of_stock"]
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 1
    assert CartLine.objects.filter(cart__user=second).count() == 1


@pytest.mark.parametrize("round_", range(4))
def test_concurrent_orders_and_a_staff_change_each_order_whole_or_refused(shop, staff_client, round_):
    catalog, customers = shop
    black = catalog.option("black")
    start = threading.Barrier(3)
    results: dict = {}

    def order(customer):
        def place():
            start.wait()
            return token_client(customer).post("/api/orders/", ADDRESS, format="json")
        return place

    def staff():
        start.wait()
        # Two separate commits: first the price, then the stock.
        price = staff_client.patch(f"/api/part-options/{black.pk}/", {"default_price": "25.00"}, format="json")
        stock = staff_client.patch(f"/api/part-options/{black.pk}/", {"in_stock": False}, format="json")
        return price.status_code, stock.status_code

    threads = [_in_thread(order(c), results, f"customer{n}") for n, c in enumerate(customers)]
    threads.append(_in_thread(staff, results, "staff"))
    for thread in threads:
        thread.join(30)

    assert results["staff"] == (200, 200)
    assert not PartOption.objects.get(pk=black.pk).in_stock
    for n, customer in enumerate(customers):
        response = results[f"customer{n}"]
        assert response.status_code in (201, 409), response.content
        orders = Order.objects.filter(user=customer)
        if response.status_code == 201:
            order = orders.get()
            (line,) = order.lines.all()
            black_price = next(o["price"] for o in line.options if o["option_id"] == black.pk)
            # Placed before the price change (old price) or between the two commits (new price), never a mix.
            assert (black_price, order.total) in {("15.00", Decimal("328.00")), ("25.00", Decimal("338.00"))}
            assert line.unit_price == order.total
            assert not CartLine.objects.filter(cart__user=customer).exists()
        else:
            assert not orders.exists()
            assert CartLine.objects.filter(cart__user=customer).count() == 1
