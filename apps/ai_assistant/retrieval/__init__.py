"""Retrieval: answers a query from the AI knowledge index, by meaning and by keywords.

A query is embedded with the active collection's model and matched in the vector store, matched by the
database's own full-text search over keyword rows written with the ledger, and the two rankings are fused
(Reciprocal Rank Fusion) after the filters (type, category, price, stock) have been applied; exact names
come first, then the product family the query intends, and the products before the catalog's other documents
unless the query is about another type.

Modules (import them by their full path; nothing is re-exported here):
- `embeddings.py`: the embedding providers (local model, OpenAI, hashing for tests) and their registry;
- `embedding_cache.py`: each text embedded once per provider and model (EmbeddingCache rows);
- `vector_store.py`: the vector store interface and its Chroma implementation;
- `text.py`: text normalisation: tokenisers, accents, the light stemmer, stop words, trigrams, edit distance;
- `filters.py`: the filters of a search, as SQL over keyword rows, a Chroma `where` and a metadata check;
- `keyword_rows.py`: the keyword row and vocabulary of each ledger row, written inside the index write;
- `keyword_backends/`: the database's full-text search (PostgreSQL tsvector + pg_trgm, with the query words'
  document frequencies remembered per generation of the keyword rows; SQLite FTS5);
- `keyword_search.py`: the keyword side: the query's words, misspellings, exact names;
- `intent.py`: the product family a query names or implies;
- `type_prior.py`: products first unless the query is closer to a document of another type;
- `synonyms.py`: the shop's synonyms applied to a query (its data lives in apps/search);
- `vector_side.py`: the vector half of a search (query vector, neighbours), run in a worker thread beside the
  keyword half;
- `hybrid.py`: hybrid search: both rankings, RRF fusion, exact names and intent, results;
- `query.py`: a search request: arguments checked, filters built, `search_documents()`.
"""
