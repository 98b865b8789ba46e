"""English forms of the catalog's own names in an answer: the singular of a family's name ("Bicycles" ->
"bicycle", "Snowboards S5-2" -> "snowboard s5-2") and the indefinite article chosen by its first sound
("an electric scooter", "a unicycle", "an 8-speed chain"). Derived from the words alone, for any catalog."""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[A-Za-z]+")
# Letters that start a vowel sound, and the usual exceptions either way.
_VOWELS = "aeio"
_CONSONANT_SOUND_STARTS = ("uni", "use", "usu", "uti", "ura", "ure", "uro", "eu", "one", "once")
_VOWEL_SOUND_STARTS = ("hour", "honest", "honor", "honour", "heir")
# Numbers whose spoken name starts with a vowel sound: 8, 80, 800 ... (eight), 11 (eleven), 18 (eighteen).
_VOWEL_NUMBERS_RE = re.compile(r"^(8|11(?!\d)|18(?!\d))")


def _singular_word(word: str) -> str:
    lower = word.lower()
    if len(lower) > 4 and lower.endswith("ies"):
        return word[:-3] + ("Y" if word.isupper() else "y")
    if lower.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us")):
        return word[:-1]
    return word


def singular_name(name: str) -> str:
    """The singular of a family's name, lower case: its last plural word (the head noun) made singular.

    "Roller skates" -> "roller skate", "Snowboards S5-2" -> "snowboard s5-2", "Glasses" -> "glass".
    """
    words = list(_WORD_RE.finditer(name))
    plural = [m for m in words if len(m.group()) > 3 and m.group().lower().endswith("s")]
    if not plural:
        return name.lower()
    head = plural[-1]
    return (name[: head.start()] + _singular_word(head.group()) + name[head.end() :]).lower()


def article(phrase: str) -> str:
    """ "a" or "an" for `phrase`, by the sound of its first word."""
    word = phrase.strip().lower()
    if not word:
        return "a"
    if word[0].isdigit():
        return "an" if _VOWEL_NUMBERS_RE.match(word) else "a"
    if word.startswith(_VOWEL_SOUND_STARTS):
        return "an"
    if word.startswith(_CONSONANT_SOUND_STARTS):
        return "a"
    return "an" if word[0] in _VOWELS or word[0] == "u" else "a"


def with_article(phrase: str) -> str:
    """ "an electric scooter", "a bicycle"."""
    return f"{article(phrase)} {phrase}"
