"""State of the AI knowledge index, its outbox of pending changes, and chat history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

# Ids per `IN (...)` list when the indexing and retrieval code read these tables (and the catalog) by a long
# list of ids: below SQLite's historic limit of 999 bound variables per statement.
IN_LIST_CHUNK = 900


class IndexChange(models.Model):
    """Outbox row: a document whose source rows changed, written in the changing transaction.

    A flush claims rows (claimed_by/claimed_at), syncs their documents, then deletes them. Rows of a
    flush that died keep their claim; the sweeper releases claims older than a timeout.
    """

    doc_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_by = models.CharField(max_length=64, blank=True, default="", db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Its document was written ahead of the flush (indexing/write_ahead.py): the next pass skips the row.
    written_ahead = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The write-ahead pass reads the rows not yet written ahead, oldest first.
            models.Index(fields=["id"], condition=models.Q(written_ahead=False), name="index_change_not_ahead"),
        ]

    def __str__(self) -> str:
        return self.doc_id


class IndexedDocument(models.Model):
    """What one collection of the vector store holds for a document: its text, filters and hash."""

    collection = models.CharField(max_length=128, db_index=True)
    doc_id = models.CharField(max_length=64)
    doc_type = models.CharField(max_length=32, db_index=True)
    object_id = models.BigIntegerField()
    text = models.TextField()
    metadata = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    # The two halves of content_hash: equal text_hash -> the vector is current, only metadata may be written.
    text_hash = models.CharField(max_length=64, default="")
    metadata_hash = models.CharField(max_length=64, default="")
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["collection", "doc_id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "doc_id"], name="indexed_doc_unique_per_collection"),
        ]

    def __str__(self) -> str:
        return f"{self.collection}/{self.doc_id}"


class KeywordRow(models.Model):
    """The keyword side of one ledger row: its words by weight and the facts the filters read.

    Written with the ledger row inside the index write and deleted with it (the migration makes the database
    cascade the delete), so every process reads the same keyword index. The full-text index over it is the
    database's own: a weighted tsvector with a GIN index on PostgreSQL, an FTS5 table on SQLite
    (retrieval/keyword_backends/).
    """

    # No Django-side cascade: the database's ON DELETE CASCADE (PostgreSQL) or trigger (SQLite) removes the row,
    # so deleting a whole collection's ledger stays one statement.
    document = models.OneToOneField(
        IndexedDocument, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    collection = models.CharField(max_length=128)
    doc_id = models.CharField(max_length=64)
    doc_type = models.CharField(max_length=32)
    category_id = models.BigIntegerField(null=True)
    price = models.FloatField(null=True)
    in_stock = models.BooleanField(null=True)
    name = models.TextField()  # weight A
    labels = models.TextField(blank=True, default="")  # weight B: the options' names and the category
    body = models.TextField(blank=True, default="")  # weight C: the embedded text and the facts
    name_key = models.TextField(blank=True, default="")  # normalised name: exact matches
    option_keys = models.TextField(blank=True, default="")  # "|fat bike wheels|red|": a part's option names
    # PostgreSQL: setweight(name, A) || setweight(labels, B) || setweight(body, C), GIN-indexed. Unused on SQLite.
    search = SearchVectorField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["collection", "doc_type"], name="keyword_row_type"),
            models.Index(fields=["collection", "category_id"], name="keyword_row_category"),
            models.Index(fields=["collection", "name_key"], name="keyword_row_name_key"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["collection", "doc_id"], name="keyword_row_unique_per_collection"),
        ]

    def __str__(self) -> str:
        return f"{self.collection}/{self.doc_id}"


class KeywordTerm(models.Model):
    """A word of a collection's keyword rows: the vocabulary misspelt query words are matched against."""

    collection = models.CharField(max_length=128)
    term = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collection", "term"], name="keyword_term_unique_per_collection"),
        ]

    def __str__(self) -> str:
        return f"{self.collection}/{self.term}"


class EmbeddingCache(models.Model):
    """An embedding computed once for a text, keyed by provider, model and the text's hash."""

    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=128)
    text_hash = models.CharField(max_length=64)
    dimensions = models.PositiveIntegerField()
    vector = models.BinaryField(help_text="float32 little-endian")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "model", "text_hash"], name="embedding_cache_key"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}/{self.text_hash[:12]}"


class IndexState(models.Model):
    """Singleton (pk=1): the active collection pointer and the index's bookkeeping."""

    active_collection = models.CharField(max_length=128, blank=True, default="")
    embedding_provider = models.CharField(max_length=32, blank=True, default="")
    embedding_model = models.CharField(max_length=128, blank=True, default="")
    last_update_at = models.DateTimeField(null=True, blank=True)
    last_rebuild_at = models.DateTimeField(null=True, blank=True)
    last_refresh_at = models.DateTimeField(null=True, blank=True)
    rebuild_task_id = models.CharField(max_length=64, blank=True, default="")
    rebuild_started_at = models.DateTimeField(null=True, blank=True)
    # The collection a rebuild is filling right now: syncs write to it as well as to the active one.
    building_collection = models.CharField(max_length=128, blank=True, default="")
    building_provider = models.CharField(max_length=32, blank=True, default="")
    building_model = models.CharField(max_length=128, blank=True, default="")
    building_started_at = models.DateTimeField(null=True, blank=True)
    # Bumped after every write to the active collection's ledger: a change stamp the status reports.
    ledger_version = models.PositiveBigIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "index state"
        # Reading the index state (admin panel, API status and task status) is view_indexstate; these queue work.
        permissions = [
            ("rebuild_index", "Can rebuild the AI index"),
            ("update_index", "Can sync pending changes to the AI index now"),
        ]

    def __str__(self) -> str:
        return self.active_collection or "(no collection)"


class RebuildChunk(models.Model):
    """One chunk of a rebuild spread over workers: the documents one task writes into the new collection.

    indexing/rebuild_chunks.py is the only module that writes these rows; they go when the rebuild ends.
    """

    QUEUED, RUNNING, DONE = "queued", "running", "done"

    rebuild_id = models.CharField(max_length=64, db_index=True)
    index = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    collection = models.CharField(max_length=128)
    doc_ids = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)  # len(doc_ids)
    task_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, default=QUEUED)
    worker = models.CharField(max_length=255, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    embedded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last sign of life of the task running it (set when it starts and after each batch).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rebuild_id", "index"]
        constraints = [models.UniqueConstraint(fields=["rebuild_id", "index"], name="rebuild_chunk_one_per_index")]

    def __str__(self) -> str:
        return f"{self.rebuild_id} {self.index + 1}/{self.total}"


class ChatSession(models.Model):
    """A conversation; only whoever started it (owner, or client_key for an anonymous browser) continues it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # retention deletes by it
    context = models.JSONField(default=dict, blank=True, help_text="Filters carried to follow-up questions.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # a customer's conversations go with the customer
        related_name="chat_sessions",
        help_text="The signed-in user who started the chat; empty for an anonymous client.",
    )
    client_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="sha256 of the anonymous browser's session key (the key itself would let a reader be that "
        "browser); empty when a user owns the chat.",
    )

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return str(self.id)


class ChatMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    products = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    engine = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"
