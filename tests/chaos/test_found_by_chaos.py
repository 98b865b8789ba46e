"""What the chaos run found, pinned as plain tests (each failed before its fix).

The chaos run's writers race each other: a DELETE of a part option passed its "no product uses it" check,
then another request committed a product that uses the option, and the database refused the delete at
COMMIT (a deferred foreign key). The API answered 500; it must answer 409, like a delete the check refuses.
"""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.models.signals import pre_delete

from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.fixtures.api import build_bicycle_catalog


@pytest.mark.django_db(transaction=True)
def test_deleting_an_option_that_a_concurrent_request_starts_using_is_a_409(staff_client, settings):
    settings.AI_INDEX_AUTO_UPDATE = False  # the race is in the catalog tables; keep the outbox out of it
    catalog = build_bicycle_catalog()
    option = PartOption.objects.create(part=catalog.part("Chain"), name="race chain", default_price=50)
    product = PreConfiguredProduct.objects.create(category=catalog.category, name="Racer", slug="racer")
    for name in ["full-suspension", "matte", "mountain wheels", "black"]:
        PreConfiguredProductOption.objects.create(product=product, option=catalog.option(name))

    concurrent = connection.vendor == "postgresql"

    def another_request_commits_a_use(sender, instance, **kwargs) -> None:
        """Runs after the delete's checks and before its DELETE: the other request's commit lands here.

        SQLite serializes writers (the delete holds the write lock by now), so there the row is written in
        the delete's own transaction: the database refuses the commit the same way.
        """
        if instance.pk != option.pk:
            return
        other = connections.create_connection("default") if concurrent else connection
        try:
            with other.cursor() as cursor:  # another connection: autocommit, committed when this returns
                cursor.execute(
                    f"INSERT INTO {PreConfiguredProductOption._meta.db_table} (product_id, part_id, option_id) "
                    "VALUES (%s, %s, %s)",
                    [product.pk, option.part_id, option.pk],
                )
        finally:
            if concurrent:
                other.close()

    pre_delete.connect(another_request_commits_a_use, sender=PartOption, dispatch_uid="chaos-race")
    try:
        response = staff_client.delete(f"/api/part-options/{option.pk}/")
    finally:
        pre_delete.disconnect(sender=PartOption, dispatch_uid="chaos-race")

    assert response.status_code == 409, response.content
    assert "detail" in response.json()
    assert PartOption.objects.filter(pk=option.pk).exists()
    # The other request's row stays (SQLite: it was in the refused transaction, so it is gone with it).
    assert PreConfiguredProductOption.objects.filter(option=option).count() == (1 if concurrent else 0)
