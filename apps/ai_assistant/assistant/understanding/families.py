"""Which product family a request is about when it names none: "something for commuting to the office",
"gear for my morning espresso". Each category is known by its own text — its name and description, its parts'
and its options' descriptions — and a request goes to the category holding the text nearest in meaning
(the embedding model, cached per text). Nothing here is a hand-typed list of uses.
"""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.meaning import cosine, vectors
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary


def category_texts(vocab: Vocabulary) -> list[tuple[int, str]]:
    """(category id, text) for each category, part and option description of the catalog."""
    texts: list[tuple[int, str]] = []
    for category in vocab.categories.values():
        texts.append((category.id, f"{category.name}. {vocab.descriptions.get(('category', category.id), '')}"))
    for part in vocab.parts.values():
        texts.append((part.category_id, f"{part.name}. {vocab.descriptions.get(('part', part.id), '')}"))
    for option in vocab.options.values():
        description = vocab.descriptions.get(("option", option.id), "")
        if description:
            texts.append((option.category_id, f"{option.name}. {description}"))
    return texts


def nearest_categories(vocab: Vocabulary, request: str) -> list[tuple[float, int]]:
    """(similarity, category id), nearest first: each category scored by its text nearest to `request`.
    Empty when no in-process embedding model is available."""
    texts = category_texts(vocab)
    if not texts or not request.strip():
        return []
    found = vectors([request, *(text for _, text in texts)])
    if found is None:
        return []
    query, *text_vectors = found
    best: dict[int, float] = {}
    for (category_id, _), vector in zip(texts, text_vectors, strict=True):
        best[category_id] = max(best.get(category_id, -1.0), cosine(query, vector))
    return sorted(((score, category_id) for category_id, score in best.items()), reverse=True)
