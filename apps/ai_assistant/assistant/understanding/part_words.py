"""Words that name a part besides its own name: the word every option of the part ends its name with and no other
name of its family uses (the Upholstery part's "Cotton canvas cover", "Wool blend cover": "cover"), so
"what covers can I pick?" asks for that part's options. Derived from the catalog's names alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

# Words a part name shares with many parts; they do not name a part on their own.
GENERIC_PART_WORDS = {"type", "color", "kind", "style", "size", "model", "option", "the", "and", "of"}


def shared_option_words(
    parts: Mapping[int, Any], options: Iterable[Any], part_words: Mapping[int, set[str]]
) -> dict[int, str]:
    """part id -> the one word all its options' names end with that no other part or option of its family uses.

    `parts`: id -> an object with `category_id`; `options`: objects with `part_id` and `name`; `part_words`: the
    words each part is already named by (they are not added again).
    """
    by_part: dict[int, list[set[str]]] = {}
    last: dict[int, set[str]] = {}  # the last words of each part's option names
    for opt in options:
        toks = tokens_of(opt.name)
        by_part.setdefault(opt.part_id, []).append(set(toks))
        last.setdefault(opt.part_id, set()).update(toks[-1:])
    words_in_family: dict[tuple[int | None, str], set[int]] = {}
    for part_id, names in by_part.items():
        category_id = parts[part_id].category_id if part_id in parts else None
        for word in set().union(*names) | part_words.get(part_id, set()):
            words_in_family.setdefault((category_id, word), set()).add(part_id)
    # A word other families' option names use too ("set" of "Cast iron plates 100 kg set" and of "Electronic
    # mesh pad set") is a generic word of the shop, no name of one part ("fly fishing set" is no weight plates).
    families_of: dict[str, set[int | None]] = {}
    for category_id, word in words_in_family:
        families_of.setdefault(word, set()).add(category_id)
    found: dict[int, str] = {}
    for part_id, names in by_part.items():
        if part_id not in parts or len(names) < 2:
            continue
        category_id = parts[part_id].category_id
        # The word that ends every name ("... cover"), not one inside them ("4-season inner", "3-season mesh inner").
        shared = (set.intersection(*names) & last[part_id]) - part_words.get(part_id, set())
        shared -= STOP_WORDS | GENERIC_PART_WORDS
        alone = sorted(w for w in shared if w.isalpha() and len(w) >= 3
                       and words_in_family[(category_id, w)] == {part_id} and len(families_of[w]) == 1)
        if len(alone) == 1:
            found[part_id] = alone[0]
    return found
