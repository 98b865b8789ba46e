"""Which options a follow-up question carries over from the session ("and with blue rims?")."""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.parser import ParsedMessage
from apps.ai_assistant.assistant.understanding.removals import without_removed
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary


def merge_options(vocab: Vocabulary, previous: list[int], new: list[int]) -> list[int]:
    """Previous options plus new ones; a new option replaces the previous one of its part.

    Two new options of one part, one of them already chosen, are a swap whatever the words around them ("the
    basic remote instead of the goggles", "swap the goggles for the basic remote"): the chosen one goes.
    """
    new = [i for i in new if i in vocab.options]
    for part_id in {vocab.options[i].part_id for i in new}:
        same = [i for i in new if vocab.options[i].part_id == part_id]
        swapped = [i for i in same if i in previous]
        if len(same) > 1 and 0 < len(swapped) < len(same):
            new = [i for i in new if i not in swapped]
    new_parts = {vocab.options[i].part_id for i in new}
    kept = [i for i in previous if i in vocab.options and vocab.options[i].part_id not in new_parts]
    return list(dict.fromkeys(kept + new))


def configuration_options(p: ParsedMessage, vocab: Vocabulary, context: dict) -> list[int]:
    """The options of the configuration asked about: the message's, added to the previous configuration's
    when the message follows up on a price or compatibility question, or on one product (its configuration),
    less the options it says to leave out ("same but without the rod sleeve?")."""
    if (p.is_follow_up and context.get("kind") in {"quote", "compatibility", "product"}
            and context.get("quote_option_ids")):
        previous = without_removed(context["quote_option_ids"], p.removed_option_ids, p.removed_part_ids,
                                   {i: o.part_id for i, o in vocab.options.items()})
        return merge_options(vocab, previous, p.option_ids)
    return list(p.option_ids)
