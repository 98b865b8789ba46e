"""Concurrent writers of the same catalog rows keep their suggestion entries right (real threads, each with its
own connection; transaction=True so each save commits and its refresh runs as in production).

Last session's burst bench (8 writers) logged `suggest_entry_one_per_word` duplicate-key warnings from
apps.search.signals: two refreshes of one row each deleted its entries and inserted new ones, neither seeing
the other's uncommitted rows. Refreshes now lock their rows first and read them under the lock.
"""

from __future__ import annotations

import logging
import random
import threading

import pytest
from django.db import connection

from apps.catalog.models import Category
from apps.search.models import SuggestEntry, VocabularyWord
from apps.search.services import vocabulary

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = [
    "alpine",
    "breeze",
    "cobalt",
    "drift",
    "ember",
    "fjord",
    "glacier",
    "harbor",
    "island",
    "juniper",
    "kestrel",
    "lagoon",
]


def in_thread(target, errors: list, name: str = "") -> threading.Thread:
    def run() -> None:
        try:
            target()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def entries_of(category: Category) -> list[tuple[int, str, str]]:
    rows = SuggestEntry.objects.filter(kind=SuggestEntry.CATEGORY, object_id=category.pk)
    return sorted(rows.values_list("position", "text", "norm"))


def expected_entries(category: Category) -> list[tuple[int, str, str]]:
    category.refresh_from_db()
    return sorted((e.position, e.text, e.norm) for e in vocabulary._entries(SuggestEntry.CATEGORY, 0, category.name))


@pytest.fixture
def categories(settings):
    settings.AI_INDEX_AUTO_UPDATE = False
    return [Category.objects.create(name=f"Race {n}", slug=f"race-{n}") for n in range(3)]


def test_eight_writers_renaming_the_same_rows_leave_the_last_names_and_log_nothing(categories, caplog):
    barrier = threading.Barrier(8)
    errors: list = []

    def writer(index: int) -> None:
        rng = random.Random(index)
        barrier.wait(10)
        for round_ in range(12):
            category = Category.objects.get(pk=categories[round_ % len(categories)].pk)
            # Names of 1 to 9 words: a shorter name must not keep a longer one's later word keys.
            category.name = f"W{index} r{round_} " + " ".join(rng.sample(WORDS, rng.randint(0, 7)))
            category.description = " ".join(rng.sample(WORDS, 3))
            category.save(update_fields=["name", "description", "updated_at"])

    with caplog.at_level(logging.WARNING, logger="apps.search.signals"):
        threads = [in_thread(lambda i=i: writer(i), errors) for i in range(8)]
        for thread in threads:
            thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert [r.getMessage() for r in caplog.records if r.name == "apps.search.signals"] == []
    for category in categories:
        assert entries_of(category) == expected_entries(category)
    assert VocabularyWord.objects.filter(word__in=WORDS).exists()


def test_a_refresh_that_read_a_row_cannot_overwrite_a_later_save(categories, monkeypatch):
    """Forced interleaving: the first refresh has read the old name and waits; meanwhile the name changes and
    its own refresh runs. The later name must be the one left."""
    category = categories[0]
    paused, resume = threading.Event(), threading.Event()
    original_rows = vocabulary._rows

    def rows_then_wait(model, pks):
        rows = list(original_rows(model, pks))
        if threading.current_thread().name == "first":
            paused.set()
            resume.wait(2)  # bounded: on SQLite the second save waits for this transaction's write lock
        return iter(rows)

    monkeypatch.setattr(vocabulary, "_rows", rows_then_wait)
    errors: list = []
    Category.objects.filter(pk=category.pk).update(name="Old Glacier Name")  # no signal: the refresh below reads it
    first = in_thread(lambda: vocabulary.refresh_rows(Category, [category.pk]), errors, "first")
    assert paused.wait(10)

    def rename() -> None:
        fresh = Category.objects.get(pk=category.pk)
        fresh.name = "New"
        fresh.save(update_fields=["name", "updated_at"])  # commits, then refreshes its entries

    second = in_thread(rename, errors, "second")
    second.join(0.5)
    resume.set()
    first.join(20)
    second.join(20)
    assert errors == []
    assert entries_of(category) == [(0, "New", "new")]


def test_a_full_refresh_beside_row_refreshes_fails_nothing(categories, caplog):
    errors: list = []

    def rename(index: int) -> None:
        for round_ in range(10):
            category = Category.objects.get(pk=categories[index].pk)
            category.name = f"Full {index} {round_} " + " ".join(WORDS[round_ : round_ + index + 1])
            category.save(update_fields=["name", "updated_at"])

    with caplog.at_level(logging.WARNING, logger="apps.search.signals"):
        threads = [in_thread(lambda i=i: rename(i), errors) for i in range(3)]
        threads += [in_thread(lambda: [vocabulary.refresh_all() for _ in range(5)], errors) for _ in range(2)]
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert [r.getMessage() for r in caplog.records if r.name == "apps.search.signals"] == []
    for category in categories:
        assert entries_of(category) == expected_entries(category)
