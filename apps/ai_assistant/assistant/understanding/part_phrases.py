"""A part named by words its own description says together: "drum thrones" (Throne: "An optional drum
throne"), "fishing lines" (Line: "The fishing line spooled on the reel"). The words before the part's name are
the catalog's words for that part, not another part ("drum" of Snare drum) or an option that mentions them
("fly fishing" of the Weight-forward fly line)."""

from __future__ import annotations

from collections.abc import Iterable

from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Term, Vocabulary
from apps.ai_assistant.assistant.understanding.words import tokens_of


def _says(text_tokens: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(text_tokens[k : k + n] == phrase for k in range(len(text_tokens) - n + 1))


def described_part(vocab: Vocabulary, phrase: list[str], part_ids: Iterable[int]) -> int | None:
    """The one part of `part_ids` whose name or description holds the words of `phrase` in a row, or None."""
    if len(phrase) < 2:
        return None
    found = [pid for pid in dict.fromkeys(part_ids)
             if _says(tokens_of(f"{vocab.parts[pid].name}. {vocab.descriptions.get(('part', pid)) or ''}"), phrase)]
    return found[0] if len(found) == 1 else None


def join_described_parts(vocab: Vocabulary, words: list[str], mentions: list[Mention]) -> list[Mention]:
    """`mentions` with two parts' mentions next to each other replaced by the one part whose text says both
    ("drum thrones": Throne, not Snare drum and Throne)."""
    out: list[Mention] = []
    for mention in mentions:
        before = out[-1] if out else None
        if (before is not None and before.end == mention.start and not before.linked and not mention.linked
                and all(t.kind == "part" for t in before.terms + mention.terms)):
            part_id = described_part(vocab, words[before.start : mention.end], [t.ref for t in mention.terms])
            if part_id is not None:
                part = vocab.parts[part_id]
                out[-1] = Mention(before.start, mention.end, before.score + mention.score,
                                  [Term("part", part_id, tuple(tokens_of(part.name)))])
                continue
        out.append(mention)
    return out
