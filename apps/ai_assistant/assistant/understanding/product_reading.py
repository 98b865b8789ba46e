"""What a message says of a product: options its name already holds, and follow-ups about the product the
previous answer was about, read from the session and the catalog's names.

- an option of a named product's own configuration says nothing new ("how much for the Posture Kneel K1
  stool": the stool is its Kneeling stool frame): the question is about the product, and the option's part is
  what it asks about ("does the Moog Lake have the wooden case?": yes, it comes with it);
- a pronoun ("is it in stock?", "what does it come with?") is that product;
- the words another product's name adds to its name ("and the Max version?" after the Zipline Commute: the
  Zipline Commute Max; "the velvet one?" after the Nordby 2: the Nordby 2 Velvet) name that product, and so
  do the words a name of the same line says instead ("the hopper version?" after the Barista 64 Flat: the
  Barista 64 Hopper);
- after a yes/no question about a product ("can I buy the Kestrel 6K right now?"), "and the Kestrel Rescue?"
  asks the same yes/no question of the next one.
"""

from __future__ import annotations

import re

from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.assistant.understanding.words import TOKEN_RE, tokens_of
from apps.preconfigured_products.models import PreConfiguredProductOption

# A pronoun standing for what the previous answer was about.
IT_RE = re.compile(r"\b(it|that one|this one|that|this|them|those|these)\b")


def _previous_products(vocab: Vocabulary, context: dict) -> list[int]:
    if context.get("kind") != "product":
        return []
    # Not filtered by vocab.products: a large catalog's names are not held, its products still are.
    return [int(i) for i in context.get("product_ids") or []]


def product_referred_to(text: str, vocab: Vocabulary, context: dict, names_something: bool) -> tuple[list[int], bool]:
    """(The products a message that names no product refers to through the previous answer's products, whether
    it named one by the words its name adds), or ([], False)."""
    previous = _previous_products(vocab, context)
    if not previous:
        return [], False
    if not names_something and IT_RE.search(text):
        return previous, False  # "is it in stock?", "can I get it now?", "what does it come with?"
    if len(previous) != 1 or previous[0] not in vocab.products:
        return [], False
    # "and the Max version?": the one product whose name is the previous one's and words of this message.
    before = vocab.products[previous[0]]
    base = set(tokens_of(before.name))
    said = set(tokens_of(text))
    found, swapped = [], []
    line = tokens_of(before.name)[:1]
    for product in vocab.products.values():
        if product.id == before.id or product.category_id != before.category_id:
            continue
        words = tokens_of(product.name)
        added = set(words) - base
        if not added or not added <= said:
            continue
        if base <= set(words):
            found.append(product.id)
        elif words[:1] == line:
            # "and the king one with the topper?" after the Cloudrest Memory Queen: the one product of its line
            # (its name's first word) whose name puts the words said in place of some of the previous one's.
            swapped.append(product.id)
    found = found or swapped
    return (found, True) if len(found) == 1 else ([], False)


def asks_yes_no_again(is_follow_up: bool, product_ids: list[int], context: dict) -> bool:
    """After a yes/no answer about a product, "and the Kestrel Rescue?" asks it of another product."""
    return bool(is_follow_up and product_ids and context.get("kind") == "product" and context.get("yes_no"))


def restated_parts(product_ids: list[int], option_ids: list[int], vocab: Vocabulary) -> list[int] | None:
    """The parts of `option_ids` when one product is named and its configuration holds every one of them (the
    options only restate it), else None."""
    if len(product_ids) != 1 or not option_ids:
        return None
    held = set(PreConfiguredProductOption.objects.filter(product_id=product_ids[0]).values_list("option_id", flat=True))
    if not set(option_ids) <= held:
        return None
    return list(dict.fromkeys(vocab.options[i].part_id for i in option_ids if i in vocab.options))


def named_by_product(
    product_id: int, option_ids: list[int], part_ids: list[int], vocab: Vocabulary
) -> tuple[list[int], list[int]]:
    """(`option_ids`, `part_ids`) without the ones the product's configuration holds: the words that named the
    product ("the king one with the topper": King size, the Topper part) said nothing else."""
    held = set(PreConfiguredProductOption.objects.filter(product_id=product_id).values_list("option_id", flat=True))
    held_parts = {vocab.options[i].part_id for i in held if i in vocab.options}
    return [i for i in option_ids if i not in held], [i for i in part_ids if i not in held_parts]


def without_product_names(text: str, vocab: Vocabulary) -> str:
    """`text` with product names blanked, so "the Lolis Max 2" is no price limit ("max 2")."""
    products = vocab.match(text, kinds={"product"})
    if not products:
        return text
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    chars = list(text)
    for mention in products:
        start, end = spans[mention.start][0], spans[mention.end - 1][1]
        chars[start:end] = " " * (end - start)
    return "".join(chars)
