"""bootstrap_shop: first run seeds the catalog and creates the admin once; later runs change nothing."""

from __future__ import annotations

import stat
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from apps.catalog.models import Category, PartOption
from apps.preconfigured_products.models import PreConfiguredProduct


@pytest.fixture
def isolated(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.STATIC_ROOT = tmp_path / "static"
    return tmp_path


def _bootstrap() -> str:
    out = StringIO()
    call_command("bootstrap_shop", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_first_run_seeds_and_creates_the_admin_once(isolated):
    first = _bootstrap()
    password_file = isolated / "var" / "admin_password.txt"
    password = password_file.read_text().strip()
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert len(password) >= 20
    assert password in first  # printed once...
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert authenticate(username="admin", password=password) == admin
    assert Category.objects.count() == 4
    assert (isolated / "static" / "admin").is_dir()

    counts = (Category.objects.count(), PartOption.objects.count(), PreConfiguredProduct.objects.count())
    second = _bootstrap()
    assert password not in second  # ...and never again
    assert str(password_file) in second
    assert password_file.read_text().strip() == password
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert authenticate(username="admin", password=password) == admin
    assert (Category.objects.count(), PartOption.objects.count(), PreConfiguredProduct.objects.count()) == counts


@pytest.mark.django_db
def test_a_catalog_that_is_not_empty_is_left_alone(isolated):
    Category.objects.create(name="Kites", slug="kites")
    output = _bootstrap()
    assert list(Category.objects.values_list("slug", flat=True)) == ["kites"]
    assert "demo" not in output


@pytest.mark.django_db
def test_an_existing_admin_is_not_touched(isolated):
    get_user_model().objects.create_superuser("admin", "", "chosen-by-marcus")
    output = _bootstrap()
    assert not (isolated / "var" / "admin_password.txt").exists()
    assert "was not set by bootstrap_shop" in output
    assert authenticate(username="admin", password="chosen-by-marcus") is not None
