"""Errors of the indexing pipeline that callers tell apart."""


class TransientIndexError(Exception):
    """A part the index needs (vector store, embedding provider) timed out or is unreachable.

    Tasks retry these with backoff; any other exception is a bug and is not retried.
    """
