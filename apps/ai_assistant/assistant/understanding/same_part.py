"""Options of one part that came from split mentions, made one again ("regular board (154 cm)")."""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.run_terms import explaining_options
from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Vocabulary


def merge_same_part(vocab: Vocabulary, words: list[str], picked: list[tuple[Mention, int]]) -> list[int]:
    """Option ids of `picked` (mention, option id), where options of one part that come from split mentions
    ("regular board (154 cm)") become the one option of that part whose name, or description, explains every
    word of them, numbers included. When no option or several do, the picked options stay (the answer then
    asks which one: never a price for a guess).

    Two whole names of one part ("red or blue rims") stay two options: the customer named both.
    """
    by_part: dict[int, list[tuple[Mention, int]]] = {}
    for mention, option_id in picked:
        by_part.setdefault(vocab.options[option_id].part_id, []).append((mention, option_id))
    # Whether each part's group is merged, decided once per part (a long message picks many options).
    merged: dict[int, list[int] | None] = {}
    for part_id, group in by_part.items():
        merged[part_id] = None
        if len({o for _, o in group}) > 1 and any(m.linked for m, _ in group):
            group_words = list(dict.fromkeys(w for m, _ in group for w in words[m.start : m.end]))
            explaining = explaining_options(vocab, part_id, group_words)
            merged[part_id] = explaining if len(explaining) == 1 else list(dict.fromkeys(o for _, o in group))
    result: dict[int, None] = {}
    for _mention, option_id in picked:
        result.update(dict.fromkeys(merged[vocab.options[option_id].part_id] or [option_id]))
    return list(result)
