"""Synonyms staff edit in the admin (apps.search.models.Synonym), applied to a query.

`expand_query("mtb under 500")` -> "mtb under 500 mountain bike" when "mtb" = "mountain bike" is a group:
every phrase of a group the query contains brings in the group's other phrases. The expansion is idempotent
(a phrase already in the query is not added again), so applying it twice - in the search view and in the
keyword backend - changes nothing. At most MAX_ADDED phrases are added, so a query's work stays bounded by
its size whatever the table holds. The groups come from the shared cache (apps/search/selectors/synonyms.py):
an edit is live within seconds, in every process, without a restart, and survives index rebuilds.
"""

from __future__ import annotations

from apps.ai_assistant.retrieval.text import normalize
from apps.search.selectors.synonyms import synonym_groups

MAX_ADDED = 10


def alternatives(query: str) -> list[str]:
    """The phrases a search for `query` should also look for, in table order, without those it already has."""
    padded = f" {normalize(query)} "
    if padded.isspace():
        return []
    added: list[str] = []
    for group in synonym_groups():
        if not any(f" {phrase} " in padded for phrase in group):
            continue
        for phrase in group:
            if f" {phrase} " not in padded and phrase not in added:
                added.append(phrase)
                if len(added) == MAX_ADDED:
                    return added
    return added


def expand_query(query: str) -> str:
    """`query` followed by its alternatives (see the module docstring); unchanged when none apply."""
    extra = alternatives(query)
    return f"{query} {' '.join(extra)}" if extra else query
