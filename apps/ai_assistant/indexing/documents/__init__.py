"""Catalog rows as documents of the AI knowledge index, declared per document type.

Modules (import them by their full path):
- `registry.py`: DOC_TYPES, build_documents, iter_all_documents, all_doc_ids, touched_doc_ids.
"""
