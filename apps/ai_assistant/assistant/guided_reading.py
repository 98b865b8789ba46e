"""Guided configuration, the reading of free words: whether a message asks to build something ("I'd like to
build a bike", "can you help me configure a ski?"), and what an answer in the middle of a guide means: an
option of the current part by part of its name ("the red ones", "full sus"), "cheapest", "the second one",
"skip", "back", "start over", "cancel", another question, or nothing clear.

Options are matched by a small matcher of its own over the step's few option names (stems, glued spellings,
small misspellings, prefixes of three letters or more); what it cannot place goes to the engine's entity
linking (understanding/: the catalog's descriptions, the embedding model), which also says which category a
start names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from apps.ai_assistant.assistant.understanding.parser import parse
from apps.ai_assistant.assistant.understanding.term_choice import owner_category
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.assistant.understanding.words import normalize, tokens_of

_BUILD_RE = re.compile(
    r"\b(build|configure|customi[sz]e|design|assemble|put together|spec out|kit out|"
    r"(make|create|set up) (my|me|a|an|one|our) (own|custom)|custom[- ](made|built|build)|configurator)\b"
    r"(?! quality)|\b(my|our) own\b|\b(want|like|need|get|order) (a|an|my|me a|one) custom\b"
)
# A question about a configuration the customer already describes ("can I build a bike with fat wheels and
# red rims?", "how much to build one with ...") is for the engine, not the start of a guide.
_ASKS_RE = re.compile(
    r"\b(how much|price|prices|cost|costs|compatib\w*|work with|go with|in stock|available|possible)\b|"
    r"^\s*(can|could|does|do|is|are|will|would)\b.*\bwith\b"
)
_CANCEL_RE = re.compile(
    r"\b(cancel|stop|quit|abort|exit|never ?mind|forget (it|about it|that)|changed my mind|not anymore)\b"
)
_RESTART_RE = re.compile(r"\b(start (over|again|afresh|from scratch)|restart|from (the )?(scratch|start|"
                         r"beginning)|begin again|reset|redo it all|all over again)\b")
_BACK_RE = re.compile(r"\b(go back|back|previous( step| part| one)?|undo|step back|last step)\b")
_SKIP_RE = re.compile(
    r"\b(skip|none|no thanks|no thank you|not needed|(don'?t|do not|dont) (need|want)|without|nothing|"
    r"pass|leave (it|that) out|no need)\b|^\s*no\.?\s*$"
)
_CHEAPEST_RE = re.compile(r"\b(cheapest|least expensive|lowest price|cheaper one|cheap one|budget one|"
                          r"whatever is cheapest|lowest[- ]cost)\b")
_PRICIEST_RE = re.compile(r"\b(most expensive|priciest|dearest|top of the range|highest price)\b")
_ANY_RE = re.compile(r"\b(any( one)?|anything|whatever|(don'?t|do not) care|doesn'?t matter|you (choose|pick|"
                     r"decide)|surprise me|no preference|up to you)\b")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "1st": 1, "2nd": 2,
             "3rd": 3, "4th": 4, "5th": 5}
_ORDINAL_RE = re.compile(r"\b(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|last)\b")
# "\s*(?:[.!]\s*)?$", not "\s*[.!]?\s*$": two spaces-runs side by side split a run of spaces every way (quadratic).
_NUMBER_RE = re.compile(
    r"^\s*(?:(?:number|option|no\.?|#)\s*)?(\d{1,2})\s*(?:[.!]\s*)?$|\b(?:number|option|#)\s*(\d{1,2})\b"
)
# A choice phrased as a question ("can I have the red ones?") is still a choice.
_CHOICE_LEAD_RE = re.compile(
    r"^\s*(can i (have|get|take)|could i (have|get)|i'?ll (take|have|go)|i'?d (like|prefer|take|go)|i want|"
    r"give me|let'?s (go|do|have|take)|go (with|for)|make it|i (choose|pick|prefer|take)|yes,? (the|please)|"
    r"(what|how) about)"
)
# "What's the difference between matte and shiny?", "tell me about the fish": about the step's own options.
_DESCRIBE_RE = re.compile(r"\b(difference|differ|what is|what'?s|what are|tell me (more )?about|describe|explain|"
                          r"compare|vs|versus|more about|good for|better)\b")
# "What were the options again?", "where were we?": the step once more.
_REPEAT_RE = re.compile(r"\b(options|choices|again|where were we|what'?s next|what now|next step|remind me|"
                        r"repeat|list them|continue|resume|go on|carry on|let'?s go on)\b")
_INFO_RE = re.compile(
    r"\b(how much|how many|price|cost|in stock|available|compatib\w*|difference|differ|what|which|why|when|"
    r"where|who|tell me|show me|explain|recommend|suggest|compare|better|do you|does|is there|are there|"
    r"cart|basket|checkout|deliver\w*|shipping|help|hello|hi|hey|(?<!no )(thanks|thank you))\b"
)
_QUESTION_START_RE = re.compile(r"^\s*(is|are|do|does|did|can|could|will|would|should|has|have|how|what|which|"
                                r"why|when|where|who)\b")
# Words of an answer that say nothing about which option ("I'll take the ... ones, please").
_FILLER = set(tokens_of(
    "i ill id take have want like would prefer go with for the a an one ones please that those these them it "
    "choose pick get give me let lets us make yes yeah ok okay sure then think maybe just option options "
    "can could im i'm will do my and or also too of"
))
MAX_CONTROL_WORDS = 7  # "ok let's go back one step please": longer messages are questions, not commands


@dataclass
class Reading:
    # choose | cheapest | priciest | any | skip | back | restart | cancel | describe | repeat | question | unclear
    kind: str
    option_id: int | None = None
    candidates: list[int] = field(default_factory=list)  # several options fit equally (kind "unclear")


def is_question(message: str) -> bool:
    text = normalize(message)
    return "?" in text or bool(_QUESTION_START_RE.match(text))


def asks_to_build(message: str) -> bool:
    """"I'd like to build a bike", "configure my own", "can I customise a surfboard?": the start of a guide.
    A question about a configuration it already describes is not ("can I build one with fat wheels?")."""
    text = normalize(message)
    return bool(_BUILD_RE.search(text)) and not _ASKS_RE.search(text)


def category_named(message: str, vocab: Vocabulary) -> int | None:
    """The category a message names, directly or through one of its parts, options or products; the only
    category when the shop has one."""
    for kinds in ({"category"}, {"product", "option", "part"}):
        for mention in vocab.match(message, kinds=kinds):
            return owner_category(vocab, mention.terms[0])
    return next(iter(vocab.categories)) if len(vocab.categories) == 1 else None


def _similar(word: str, token: str) -> float:
    """1 for the same stem, 0.8 for a small misspelling or a prefix of 3+ letters ("sus", "alu"), else 0."""
    if word == token:
        return 1.0
    if len(word) >= 3 and token.startswith(word) and word.isalpha():
        return 0.8
    if min(len(word), len(token)) >= 4 and abs(len(word) - len(token)) <= 2 and word.isalpha():
        return 0.8 if SequenceMatcher(None, word, token).ratio() >= 0.8 else 0.0
    return 0.0


def _option_score(words: list[str], glued: set[str], name: str, part_words: set[str]) -> float:
    """How much of the message names this option: matched letters of its own words; the part's own words
    ("wheels" of "Road wheels") count for little, since every option of the part shares them."""
    tokens = tokens_of(name)
    if "".join(tokens) in glued:
        return 10.0 * len(tokens)
    # A message word that is several of the name's words glued ("dropstitch", "fullsuspension").
    spans = {"".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 2, len(tokens) + 1)}
    score = float(sum(len(word) for word in set(words) & spans))
    for token in dict.fromkeys(tokens):
        best = max((_similar(word, token) for word in words), default=0.0)
        weight = 0.1 if token in part_words else 1.0
        score += best * weight * max(len(token), 2)
    return score


def match_option(message: str, options: list[tuple[int, str]], part_name: str) -> list[int]:
    """The options (id, name) the message names best; several when they fit equally, none when none fits."""
    words = [w for w in tokens_of(message) if w not in _FILLER]
    if not words:
        return []
    glued = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(i + 4, len(words)) + 1)}
    part_words = set(tokens_of(part_name))
    scores = {option_id: _option_score(words, glued, name, part_words) for option_id, name in options}
    best = max(scores.values(), default=0.0)
    if best < 1.5:  # a stray letter or a part word alone ("wheels") names no option
        return []
    return [option_id for option_id, score in scores.items() if score >= best - 1e-9]


def _ordinal(text: str, count: int) -> int | None:
    """The 0-based place "the second one", "number 2", "2" or "the last one" points at, if any."""
    number = _NUMBER_RE.search(text)
    if number:
        n = int(number.group(1) or number.group(2))
        return n - 1 if 1 <= n <= count else None
    ordinal = _ORDINAL_RE.search(text)
    if ordinal:
        word = ordinal.group(1)
        n = count if word == "last" else _ORDINALS[word]
        return n - 1 if 1 <= n <= count else None
    return None


def read_answer(message: str, options: list[tuple[int, str]], part_name: str) -> Reading:
    """What `message` answers to a step offering `options` (id, name), in the order they were listed."""
    text = normalize(message).strip()
    short = len(text.split()) <= MAX_CONTROL_WORDS
    for kind, pattern in (("cancel", _CANCEL_RE), ("restart", _RESTART_RE), ("back", _BACK_RE)):
        found = pattern.search(text) if short else None
        if found:
            # "the back rack" names an option that holds the word; "go back" names none once the word is out.
            rest = match_option(text[: found.start()] + " " + text[found.end():], options, part_name)
            return Reading("choose", rest[0]) if len(rest) == 1 else Reading(kind)
    is_question = "?" in text or bool(_QUESTION_START_RE.match(text))
    matched = match_option(text, options, part_name)
    if matched and _DESCRIBE_RE.search(text) and not _CHOICE_LEAD_RE.match(text):
        return Reading("describe", candidates=matched if len(matched) > 1 else [], option_id=matched[0])
    if _INFO_RE.search(text) and not _CHOICE_LEAD_RE.match(text) and not _CHEAPEST_RE.search(text):
        return Reading("repeat" if short and not matched and _REPEAT_RE.search(text) else "question")
    if len(matched) == 1:
        return Reading("choose", matched[0])
    if short and _SKIP_RE.search(text):
        return Reading("skip")
    if _CHEAPEST_RE.search(text):
        return Reading("cheapest")
    if _PRICIEST_RE.search(text):
        return Reading("priciest")
    place = _ordinal(text, len(options)) if short else None
    if place is not None:
        return Reading("choose", options[place][0])
    if matched:
        return Reading("unclear", candidates=matched)
    if short and _ANY_RE.search(text):
        return Reading("any")
    if short and _REPEAT_RE.search(text):
        return Reading("repeat")
    if is_question or len(text.split()) > MAX_CONTROL_WORDS:
        return Reading("question")
    return Reading("unclear")


def named_options(message: str, vocab: Vocabulary, category_id: int) -> dict[int, int]:
    """The options of the category a message names, by part ("build a bike with red rims"); a part named with
    several options is left out (the customer chooses at its step)."""
    by_part: dict[int, set[int]] = {}
    for mention in vocab.match(message, kinds={"option"}):
        for term in mention.terms:
            option = vocab.options.get(term.ref)
            if option is not None and option.category_id == category_id:
                by_part.setdefault(option.part_id, set()).add(option.id)
    if not by_part:
        # Options named by part of their names ("blades with senior flex shafts"): the engine's linking.
        for option_id in parse(message, vocab).option_ids:
            option = vocab.options[option_id]
            if option.category_id == category_id:
                by_part.setdefault(option.part_id, set()).add(option_id)
    return {part_id: next(iter(ids)) for part_id, ids in by_part.items() if len(ids) == 1}


def link_in_part(message: str, part_name: str, options: dict[int, str], vocab: Vocabulary) -> int | None:
    """The engine's entity linking (understanding/) of an answer the matcher could not place, read as words
    about the step's part: "glossy" at the finish step is Shiny ("a glossy lacquered finish"). `options`: the
    step's option ids with their catalog text (name and description). Taken only when a word of the answer
    is in the linked option's text: a link by meaning alone ("hmm" nearest to some option) is no answer."""
    found = {i for i in parse(f"{message} {part_name}", vocab).option_ids if i in options}
    if len(found) != 1:
        return None
    option_id = found.pop()
    words = {w for w in tokens_of(message) if w not in _FILLER and len(w) >= 3}
    return option_id if words & set(tokens_of(options[option_id])) else None
