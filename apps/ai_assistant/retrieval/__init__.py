"""Retrieval: answers a query from the AI knowledge index, by meaning and by keywords.

A query is embedded with the active collection's model and matched in the vector store, scored by BM25
over an in-process keyword index of the ledger, and the two rankings are fused (Reciprocal Rank Fusion)
after the filters (type, category, price, stock) have been applied.

Modules (import them by their full path; nothing is re-exported here):
- `embeddings.py`: the embedding providers (local model, OpenAI, hashing for tests) and their registry;
- `embedding_cache.py`: each text embedded once per provider and model (EmbeddingCache rows);
- `vector_store.py`: the vector store interface and its Chroma implementation;
- `text.py`: text normalisation: tokenisers, the light stemmer, stop words, trigrams, edit distance;
- `keyword.py`: the keyword side: an incremental BM25 index with fuzzy and compound matching;
- `hybrid.py`: hybrid search: filters, the per-process keyword index cache, RRF fusion, results;
- `query.py`: a search request: arguments checked, filters built, `search_documents()`.
"""
