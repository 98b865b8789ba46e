"""Catalog rows as documents of the AI knowledge index, declared per document type.

Which rows make which documents, and which documents a change of a row touches, is declared once per type
(a `DocumentType`: build, indexable, touched_by, showing_options) and assembled by the registry.

Modules (import them by their full path):
- `base.py`: Document, DocumentType, ids and content hashes, the text helpers every type uses;
- `products.py`: `product:{pk}`, a preconfigured product with its configuration, price and availability;
- `categories.py`: `category:{pk}`, a category with its configurator steps;
- `parts.py`: `part:{pk}`, a configurator step with its active options;
- `rules.py`: `incompatibility:{pk}` and `price_rule:{pk}`;
- `registry.py`: DOC_TYPES, build_documents, iter_all_documents, all_doc_ids, touched_doc_ids.
"""
