"""Receivers of the search app, connected in SearchConfig.ready(): the catalog sends, it never imports us.

- a saved, deleted or bulk-changed catalog row updates its suggestion entry and adds its words, after the
  transaction commits (services/vocabulary.py; a rolled-back write changes nothing);
- `shop_bootstrapped` recomputes the whole vocabulary;
- a saved or deleted Synonym drops the cached synonym groups after commit: live in every process at once.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.catalog.signals import catalog_bulk_changed, shop_bootstrapped
from apps.search.models import Synonym
from apps.search.selectors.synonyms import forget_synonym_groups
from apps.search.services import vocabulary

logger = logging.getLogger(__name__)


def _safely(action, *args) -> None:
    # The vocabulary is derived data, refreshed nightly anyway: a failure here must not fail the catalog write.
    try:
        action(*args)
    except DatabaseError as exc:
        logger.warning("search vocabulary: %s failed: %s", action.__name__, exc)


def _row_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(partial(_safely, vocabulary.refresh_rows, sender, [instance.pk]))


def _row_deleted(sender, instance, **kwargs) -> None:
    transaction.on_commit(partial(_safely, vocabulary.remove_rows, sender, [instance.pk]))


for _model in vocabulary.SOURCES:
    post_save.connect(_row_saved, sender=_model, dispatch_uid=f"search_vocabulary_saved_{_model.__name__}")
    post_delete.connect(_row_deleted, sender=_model, dispatch_uid=f"search_vocabulary_deleted_{_model.__name__}")


@receiver(catalog_bulk_changed, dispatch_uid="search_vocabulary_bulk")
def _rows_bulk_changed(sender, pks, **kwargs) -> None:
    transaction.on_commit(partial(_safely, vocabulary.refresh_rows, sender, list(pks)))


@receiver(shop_bootstrapped, dispatch_uid="search_vocabulary_bootstrap")
def _shop_bootstrapped(sender=None, **kwargs) -> None:
    _safely(vocabulary.refresh_all)


@receiver(post_save, sender=Synonym, dispatch_uid="search_synonym_saved")
@receiver(post_delete, sender=Synonym, dispatch_uid="search_synonym_deleted")
def _synonym_changed(**kwargs) -> None:
    transaction.on_commit(forget_synonym_groups)
