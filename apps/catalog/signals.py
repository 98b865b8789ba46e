"""Signals the catalog sends for what Django's model signals do not cover; the catalog knows no receiver.

- `catalog_bulk_changed(sender=<model>, pks=[...])`: rows of `sender` changed with `QuerySet.update()`, which
  sends no post_save. Sent inside the transaction of the write, after it, so a receiver's writes commit or
  roll back with it (the AI index records the documents these rows touch in its outbox).
- `shop_bootstrapped(sender=None, say=<callable>)`: `bootstrap_shop` finished (database migrated, demo
  catalog loaded, admin created); `say` prints a line for the operator (the AI index queues its first build).
"""

from __future__ import annotations

from django.dispatch import Signal

catalog_bulk_changed = Signal()
shop_bootstrapped = Signal()
