"""Options a message takes away: "same but without the rod sleeve?", "a carp rod, no padded sleeve".

A name right after "without" / "no" (a short word such as "the" may come between) is not chosen: the option
it names is left out of the configuration, and a follow-up drops it from the one priced before. A part named
that way drops whichever option of it was chosen. An option whose own name says none ("No built-in speakers")
is a choice, not a removal (naming_words.option_saying_none).
"""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.vocabulary import Mention
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

_WITHOUT = frozenset(tokens_of("without no minus"))
# Short words that may stand between "without" and the name ("without the", "without any", "no more").
_BETWEEN = 2


def said_without(words: list[str], mention: Mention) -> bool:
    """Whether `mention` follows "without" or "no", with at most a couple of stop words between."""
    k = mention.start - 1
    while k >= 0 and mention.start - k <= _BETWEEN + 1:
        if words[k] in _WITHOUT:
            return True
        if words[k] not in STOP_WORDS:
            return False
        k -= 1
    return False


def without_removed(previous: list[int], removed_options: list[int], removed_parts: list[int],
                    part_of: dict[int, int]) -> list[int]:
    """`previous` option ids less the options removed and the options of the parts removed (`part_of`: the
    part of each option id)."""
    return [i for i in previous if i not in removed_options and part_of.get(i) not in removed_parts]
