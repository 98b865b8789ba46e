"""Catalog signals that record index changes in the outbox and schedule a debounced flush.

Thin over `indexing/outbox.py`: every save, delete and M2M change of a catalog row writes the ids of the
documents it touches (`touched_doc_ids`, indexing/documents/registry.py) as IndexChange rows in the same
transaction, and a flush is scheduled when that transaction commits. Deletes compute the ids in pre_delete, while the
row's relations still exist, and record them in post_delete, once the delete really happened.
`QuerySet.update()` sends no post_save: the catalog sends `catalog_bulk_changed` for its bulk writes, recorded
here with `outbox.record_bulk_change`. When the shop is bootstrapped (`shop_bootstrapped`) and no index exists
yet, its first build is queued here. The catalog knows neither receiver (it imports nothing of this app).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from apps.ai_assistant.indexing.outbox import record_and_schedule, record_bulk_change, touched
from apps.ai_assistant.indexing.scheduling import queue_first_index_build
from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.signals import catalog_bulk_changed, shop_bootstrapped
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

INDEXED_MODELS = (
    Category,
    Part,
    PartOption,
    IncompatibilityRule,
    PriceAdjustmentRule,
    PreConfiguredProduct,
    PreConfiguredProductOption,
)
_PENDING_ATTR = "_ai_index_doc_ids"


def _enabled() -> bool:
    # AI_INDEX_AUTO_UPDATE=0 turns recording off, e.g. for a bulk import followed by a rebuild.
    return getattr(settings, "AI_INDEX_AUTO_UPDATE", True)


def on_saved(sender, instance, **kwargs) -> None:
    if _enabled():
        record_and_schedule(touched(instance))


def before_delete(sender, instance, **kwargs) -> None:
    if _enabled():
        setattr(instance, _PENDING_ATTR, touched(instance))


def on_deleted(sender, instance, **kwargs) -> None:
    doc_ids = getattr(instance, _PENDING_ATTR, None)
    if doc_ids and _enabled():
        record_and_schedule(doc_ids)


for _model in INDEXED_MODELS:
    post_save.connect(on_saved, sender=_model, dispatch_uid=f"ai_index_saved_{_model.__name__}")
    pre_delete.connect(before_delete, sender=_model, dispatch_uid=f"ai_index_before_delete_{_model.__name__}")
    post_delete.connect(on_deleted, sender=_model, dispatch_uid=f"ai_index_deleted_{_model.__name__}")


def _m2mtouched(instance, reverse: bool, model, pk_set) -> set[str]:
    """Documents touched by the owners of an M2M relation: the instance, or the rows named in pk_set."""
    if not reverse:
        return touched(instance)
    doc_ids: set[str] = set()
    for owner in model._default_manager.filter(pk__in=list(pk_set or ())):
        doc_ids |= touched(owner)
    return doc_ids


def _reverse_owner_pks(instance, sender) -> set[int]:
    """On a reverse clear Django gives no pk_set: find the owners through the through table."""
    if sender is PriceAdjustmentRule.condition_options.through:
        return set(sender.objects.filter(partoption_id=instance.pk).values_list("priceadjustmentrule_id", flat=True))
    return set(sender.objects.filter(option_id=instance.pk).values_list("product_id", flat=True))


@receiver(m2m_changed, sender=PriceAdjustmentRule.condition_options.through, dispatch_uid="ai_index_rule_conditions")
@receiver(m2m_changed, sender=PreConfiguredProduct.options.through, dispatch_uid="ai_index_product_options")
def on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Before the change remember what it touches (removed conditions too), after it record both."""
    if not _enabled():
        return
    if action == "pre_clear" and reverse:
        pk_set = _reverse_owner_pks(instance, sender)
        setattr(instance, f"{_PENDING_ATTR}_clear_pks", pk_set)
    if action == "post_clear" and reverse:
        pk_set = getattr(instance, f"{_PENDING_ATTR}_clear_pks", set())
    if action.startswith("pre_"):
        setattr(instance, _PENDING_ATTR, _m2mtouched(instance, reverse, model, pk_set))
    elif action.startswith("post_"):
        before = getattr(instance, _PENDING_ATTR, set())
        record_and_schedule(before | _m2mtouched(instance, reverse, model, pk_set))


@receiver(catalog_bulk_changed, dispatch_uid="ai_index_bulk_changed")
def on_bulk_changed(sender, pks, **kwargs) -> None:
    """Rows changed with `QuerySet.update()`: record what they touch, in the transaction of the write."""
    record_bulk_change(sender, pks)


@receiver(shop_bootstrapped, dispatch_uid="ai_index_first_build")
def on_shop_bootstrapped(sender, say=print, **kwargs) -> None:
    """First start (no active collection): queue the first index build for the worker."""
    task_id = queue_first_index_build()
    if task_id:
        say(f"No AI index yet: queued its first build (task {task_id}); the worker builds it once Chroma is up.")
