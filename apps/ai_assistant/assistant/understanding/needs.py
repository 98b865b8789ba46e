"""Whether a message describes a need rather than naming something: "planning a two-week trek through the Andes
with all my gear", "my lower back hurts after 8 hours at the computer, what would help?".

Such a message names no family, option or product of the catalog and sets no price limit, and says several
things of its own. It is answered by the family whose own text is nearest in meaning (families.py) with that
family's products ranked by the index on the whole request, not as a product the shop does not sell ("Andes")
nor as a part its words happen to describe ("stand at" → a chair's Base). A message that asks about selling,
a price or stock of something unknown stays a question about that thing ("how much is the Zephyr 3000?").
"""

from __future__ import annotations

import re

from apps.ai_assistant.assistant.understanding.words import STOP_WORDS

# Different words of its own a message needs to be a description rather than a name.
MIN_OWN_WORDS = 4
_ASKS_ABOUT_A_THING = re.compile(r"\b(sell|sells|carry|stock|in stock|how much|price|cost|costs|available)\b")


def describes_need(
    words: list[str], text: str, *, names_something: bool, has_limits: bool, parts_named: bool, unknown_name: str,
    min_own_words: int = MIN_OWN_WORDS,
) -> bool:
    """`words`: the message's tokens; `names_something`: a family, option or product was named, `parts_named`:
    a part was named by its name (not found through a word of its description)."""
    if names_something or has_limits or parts_named:
        return False
    if unknown_name and _ASKS_ABOUT_A_THING.search(text):
        return False
    own = {w for w in words if w not in STOP_WORDS and not w.replace(".", "").isdigit() and len(w) > 2}
    return len(own) >= min_own_words
