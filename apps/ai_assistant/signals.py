"""Catalog signals that record index changes in the outbox and schedule a debounced flush."""
