"""Fixtures of the cart and order tests: the bicycle catalog of the exercise, customers with token clients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.preconfigured_products.services import create_product

ADDRESS = {"name": "Ada Lovelace", "email": "ada@example.com", "address": "12 St James's Square, London"}
# A complete, valid bicycle: 130 + 50 (matte on full-suspension) + 90 + 15 + 43 = 328.00
BIKE = ["full-suspension", "matte", "mountain wheels", "black", "single-speed chain"]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture(autouse=True)
def no_index_pipeline(settings):
    """Catalog writes here need no index: keep the outbox and Celery out of these tests."""
    settings.AI_INDEX_AUTO_UPDATE = False


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(username="ada")


@pytest.fixture
def customer_client(customer) -> APIClient:
    return token_client(customer)


@pytest.fixture
def other_client(django_user_model) -> APIClient:
    return token_client(django_user_model.objects.create_user(username="grace"))


@pytest.fixture
def order_staff(django_user_model):
    user = django_user_model.objects.create_user(username="shopkeeper", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="orders"))
    return user


@pytest.fixture
def order_staff_client(order_staff) -> APIClient:
    return token_client(order_staff)


@pytest.fixture
def product(bicycle_catalog):
    return create_product(category=bicycle_catalog.category, name="Trail Blazer", options=bicycle_catalog.ids(*BIKE))


def custom_line(catalog, names=BIKE, quantity=1) -> dict:
    return {"category": catalog.category.pk, "options": catalog.ids(*names), "quantity": quantity}
