"""Indexing: keeps the AI knowledge index in step with the catalog.

Catalog rows become documents, a catalog write records the documents it touches in the outbox (same
transaction), a debounced flush or a full rebuild writes them into the vector store and its ledger.

Modules (import them by their full path; nothing is re-exported here):
- `documents/`: which rows make which documents, and which documents a change touches, per document type;
- `outbox.py`: the transactional outbox of index changes (IndexChange rows) and the flush that drains it;
- `scheduling.py`: when index work runs: the debounced flush, the rebuild trigger (tasks enqueued by name);
- `writer.py`: writes documents into collections (hash compare, embed what changed, vectors then ledger);
- `state.py`: the only owner of IndexState: active/building collection, the rebuild slot, bookkeeping;
- `lock.py`: the index write lock, across processes;
- `consistency.py`: read-only comparison of the database, the ledger and the vector store;
- `status.py`: the index status shown by the API and the admin.
"""
