"""The built-in engine's understanding of a customer's message.

Names come from the catalog as it is in the database (categories, parts, options, products), matched
forgivingly: plurals, hyphens, "colour"/"color", glued words and small misspellings. Around the names the
parser reads price limits, sort order, stock questions, compatibility and price questions, and whether the
message is a follow-up of the previous one. It never decides a price or a compatibility: the engine asks
the configurator and the database for those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from apps.catalog.models import Category, Part, PartOption
from apps.preconfigured_products.models import PreConfiguredProduct

from .prices import parse_price_limits

# Product names are matched only while the catalog is small enough to hold them in memory per message;
# in a larger catalog the search index finds products by name instead.
MAX_PRODUCT_NAMES = 2000

# Words a part name shares with many parts; they do not name a part on their own.
GENERIC_PART_WORDS = {"type", "color", "kind", "style", "size", "model", "option", "the", "and", "of"}

# A few everyday names for categories, keyed by the stemmed category name.
CATEGORY_SYNONYMS: dict[str, list[str]] = {
    "bicycle": ["bike", "bicycle", "cycle"],
    "bike": ["bike", "bicycle", "cycle"],
    "ski": ["ski"],
    "surfboard": ["surfboard", "surf board", "surf"],
    "roller skate": ["skate", "roller skate", "rollerskate", "rollerblade"],
}

_STOP_TEXT = (
    """a an the and or but if of to in on at for from by with without about as is are was were be been
    do does did have has had i me my we our you your it its this that these those there here what which who
    whom whose when where why how can could would should will shall may might must please show find give
    tell list any some all one ones much many more most less least very just also only get got want need
    looking look like something anything thing things see let know offer sell price prices cost costs
    eur euro euros usd dollar dollars under below above over between than max maximum min minimum up
    cheap cheapest cheaper expensive budget total stock available availability options option choices
    choice choose combine compatible possible allowed work works go goes together not no yes instead same
    hi hello hey thanks thank ok okay sure else other another now then still again s k out left sold currently
    right today moment there their them they us would like d ll re ve m t isn don doesn whats"""
)

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_OUT_OF_STOCK_RE = re.compile(
    r"\b(out of stock|sold out|unavailable|not available|not in stock|run out|ran out|backorder)"
)
_STOCK_RE = re.compile(r"\b(in stock|stock|available|availability|sold out|unavailable|have any left|in store)\b")
_PRICE_Q_RE = re.compile(
    r"\b(how much|price|prices|priced|cost|costs|costing|total|quote|pay|expensive|what would .{0,40} be)\b"
)
_COMPAT_RE = re.compile(
    r"\b(can|could|may)\s+(i|you|we|one)\s+(have|get|combine|put|choose|pick|order|mix|use|fit|pair|add)\b|"
    r"\bcompatib|\bcombin|\btogether\b|\bpossible\b|\ballowed\b|\bworks? (with|on)\b|\bgo(es)? (with|on)\b|"
    r"\b(ok|okay|fine) with\b|\bpair|\bmatch|\bmix\b|\bfits?\b|\bavailable (with|on|for)\b|"
    r"\bincompatib|\bis there .{0,40} with\b"
)
# Words of a request for products ("show me bikes with ..."), as opposed to a question about a configuration.
_SEARCH_RE = re.compile(r"\b(show|find|list|which|recommend|suggest|looking for|search|browse|any)\b")
_OPTIONS_Q_RE = re.compile(
    r"\b(options?|choices?|choose|pick|which|what|list|offer|variants?|kinds?|types?|colou?rs|are there|"
    r"do you have|available)\b"
)
_FOLLOW_UP_RE = re.compile(
    r"^(and|also|what about|how about|but|only|now|plus|with|without|same|then|instead|in that case|"
    r"what if|ok|okay)\b|\b(those|these|them|that one|instead|same one|the same)\b"
)
# A yes/no question ("are red rims in stock?") rather than a request for products ("longboards in stock").
_YES_NO_RE = re.compile(r"^\s*(is|are|do|does|did|has|have|will|can|could|any)\b")
_GREETING_RE = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|help|thanks|thank you)\b")


def normalize(text: str) -> str:
    """Lower-case, drop thousands separators, one spelling of colour."""
    text = text.lower()
    text = re.sub(r"(?<=\d)[,’'](?=\d{3}\b)", "", text)
    text = re.sub(r"\bthru\b", "through", text)
    return text.replace("colour", "color").replace("&", " and ")


def _without_brackets(name: str) -> str:
    """`name` with each "(...)" replaced by a space, as re.sub(r"\\([^)]*\\)", " ", name) would do.

    Written out because that pattern is quadratic on a name of many "(" and no ")": each "(" scans to the end.
    """
    parts: list[str] = []
    position = 0
    while (start := name.find("(", position)) != -1 and (end := name.find(")", start)) != -1:
        parts.append(name[position:start])
        parts.append(" ")
        position = end + 1
    parts.append(name[position:])
    return "".join(parts)


def _as_id(value: object) -> int | None:
    """`value` as a primary key when it is one (an int, or up to 19 decimal digits), else None (a name)."""
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    # int() of thousands of digits is slow and refused beyond 4,300; no key has more than 19 digits.
    return int(value) if value.isdecimal() and len(value) <= 19 else None


def stem(token: str) -> str:
    """A light stem: plurals to singular, so "rims" meets "rim" and "bikes" meets "bike"."""
    if token.isdigit() or len(token) <= 3:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("sses"):
        return token[:-2]
    if token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokens_of(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN_RE.findall(normalize(text))]


STOP_WORDS = {stem(word) for word in _STOP_TEXT.split()}


@lru_cache(maxsize=65536)
def _token_score(word: str, alias: str) -> float:
    """1 for the same stem, 0.8 for a small misspelling of a longer word, else 0."""
    if word == alias:
        return 1.0
    if len(alias) < 4 or len(word) < 4 or not alias.isalpha() or not word.isalpha():
        return 0.0
    if abs(len(alias) - len(word)) > 2:
        return 0.0
    matcher = SequenceMatcher(None, word, alias)
    # quick_ratio is an upper bound of ratio: most pairs are ruled out without the full comparison.
    return 0.8 if matcher.quick_ratio() >= 0.82 and matcher.ratio() >= 0.82 else 0.0


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    slug: str


@dataclass(frozen=True)
class PartInfo:
    id: int
    category_id: int
    name: str
    step: int
    required: bool


@dataclass(frozen=True)
class OptionInfo:
    id: int
    part_id: int
    category_id: int
    name: str
    price: Decimal
    in_stock: bool


@dataclass(frozen=True)
class ProductInfo:
    id: int
    category_id: int
    name: str


@dataclass(frozen=True)
class Term:
    kind: str  # "category" | "part" | "option" | "product"
    ref: int
    tokens: tuple[str, ...]


@dataclass
class Mention:
    """Terms found on one span of the message (several when a name is ambiguous)."""

    start: int
    end: int
    score: float
    terms: list[Term]


class Vocabulary:
    """The catalog's names, loaded from the database for one message."""

    def __init__(
        self,
        categories: list[CategoryInfo],
        parts: list[PartInfo],
        options: list[OptionInfo],
        products: list[ProductInfo],
    ) -> None:
        self.categories = {c.id: c for c in categories}
        self.parts = {p.id: p for p in parts}
        self.options = {o.id: o for o in options}
        self.products = {p.id: p for p in products}
        self.terms: list[Term] = []
        self._build_terms()
        self._by_first: dict[str, list[Term]] = {}
        for term in dict.fromkeys(self.terms):
            self._by_first.setdefault(term.tokens[0], []).append(term)

    @classmethod
    def load(cls) -> Vocabulary:
        categories = [CategoryInfo(c.id, c.name, c.slug) for c in Category.objects.filter(is_active=True)]
        active = {c.id for c in categories}
        parts = [
            PartInfo(p.id, p.category_id, p.name, p.step, p.required)
            for p in Part.objects.filter(category_id__in=active).order_by("category_id", "step", "id")
        ]
        options = [
            OptionInfo(o.id, o.part_id, o.part.category_id, o.name, o.default_price, o.in_stock)
            for o in PartOption.objects.filter(is_active=True, part__category_id__in=active).select_related("part")
        ]
        product_rows = PreConfiguredProduct.objects.filter(is_active=True, category_id__in=active)
        products = (
            [ProductInfo(p.id, p.category_id, p.name) for p in product_rows.only("id", "category_id", "name")]
            if product_rows.count() <= MAX_PRODUCT_NAMES
            else []
        )
        return cls(categories, parts, options, products)

    # -- names ----------------------------------------------------------------------------------
    def _add(self, kind: str, ref: int, text: str) -> None:
        toks = tuple(tokens_of(text))
        if not toks:
            return
        self.terms.append(Term(kind, ref, toks))
        if len(toks) > 1:
            # Glued spellings: "fullsuspension", "8speed", "fatbike".
            self.terms.append(Term(kind, ref, ("".join(toks),)))

    def _build_terms(self) -> None:
        for cat in self.categories.values():
            names = {cat.name, cat.slug.replace("-", " ")}
            key = " ".join(tokens_of(cat.name))
            names.update(CATEGORY_SYNONYMS.get(key, []))
            for name in names:
                self._add("category", cat.id, name)
        part_words: dict[int, set[str]] = {}
        for part in self.parts.values():
            self._add("part", part.id, part.name)
            words = {t for t in tokens_of(part.name) if t not in GENERIC_PART_WORDS and len(t) >= 3}
            part_words[part.id] = words
            for word in words:
                self._add("part", part.id, word)
        for opt in self.options.values():
            self._add("option", opt.id, opt.name)
            # "Indoor wheels (95A)" is also "indoor wheels" and "indoor".
            plain = _without_brackets(opt.name)
            toks = tokens_of(plain)
            if plain.strip() != opt.name.strip():
                self._add("option", opt.id, plain)
            words = part_words.get(opt.part_id, set())
            if len(toks) > 1 and toks[-1] in words:
                # "Road wheels" is also "road"; "8-speed chain" is also "8 speed".
                self._add("option", opt.id, " ".join(toks[:-1]))
            for word in words:
                if word not in toks:
                    # "red rims", "matte finish", "diamond frame".
                    self._add("option", opt.id, f"{' '.join(toks)} {word}")
        for prod in self.products.values():
            self._add("product", prod.id, prod.name)

    # -- lookups used by the tools --------------------------------------------------------------
    def find_category(self, value: str | int | None) -> CategoryInfo | None:
        """A category by id, name, slug or everyday name ("bikes")."""
        if value is None or value == "":
            return None
        if (pk := _as_id(value)) is not None:
            return self.categories.get(pk)
        mentions = self.match(str(value), kinds={"category"})
        for mention in mentions:
            return self.categories[mention.terms[0].ref]
        return None

    def find_part(self, category_id: int | None, value: str | int) -> PartInfo | None:
        if (pk := _as_id(value)) is not None:
            part = self.parts.get(pk)
            return part if part and (category_id is None or part.category_id == category_id) else None
        for mention in self.match(str(value), kinds={"part", "option"}):
            for term in mention.terms:
                part_id = term.ref if term.kind == "part" else self.options[term.ref].part_id
                if category_id is None or self.parts[part_id].category_id == category_id:
                    return self.parts[part_id]
        return None

    def find_option(self, category_id: int | None, value: str | int) -> OptionInfo | None:
        if (pk := _as_id(value)) is not None:
            opt = self.options.get(pk)
            return opt if opt and (category_id is None or opt.category_id == category_id) else None
        for mention in self.match(str(value), kinds={"option"}):
            candidates = [self.options[t.ref] for t in mention.terms]
            candidates = [o for o in candidates if category_id is None or o.category_id == category_id]
            if candidates:
                return candidates[0]
        return None

    def part_options(self, part_id: int) -> list[OptionInfo]:
        return [o for o in self.options.values() if o.part_id == part_id]

    def category_parts(self, category_id: int) -> list[PartInfo]:
        return sorted((p for p in self.parts.values() if p.category_id == category_id), key=lambda p: (p.step, p.id))

    # -- matching -------------------------------------------------------------------------------
    def match(self, text: str, kinds: set[str] | None = None) -> list[Mention]:
        """Non-overlapping mentions of catalog names in `text`, longest first, in message order."""
        words = tokens_of(text)
        found: list[Mention] = []
        # Terms are grouped by their first token, so each word is compared with each distinct first token
        # once, and only the terms whose first token matched are checked further.
        first_matches = {
            word: [(first, score) for first in self._by_first if (score := _token_score(word, first))]
            for word in set(words)
        }
        for start, word in enumerate(words):
            for first, first_score in first_matches[word]:
                for term in self._by_first[first]:
                    if kinds and term.kind not in kinds:
                        continue
                    n = len(term.tokens)
                    if start + n > len(words):
                        continue
                    score = first_score * len(first)
                    for offset in range(1, n):
                        word_at, token = words[start + offset], term.tokens[offset]
                        token_score = 1.0 if word_at == token else _token_score(word_at, token)
                        if not token_score:
                            break
                        score += token_score * len(term.tokens[offset])
                    else:
                        found.append(Mention(start, start + n, score, [term]))
        found.sort(key=lambda m: (-(m.end - m.start), -m.score, m.start))
        # Accepted spans by (start, end) and the words they cover: each candidate is checked in the time of
        # its own length, not against every accepted span (quadratic in a message of one word repeated).
        accepted: dict[tuple[int, int], Mention] = {}
        covered = [False] * len(words)
        for cand in found:
            same = accepted.get((cand.start, cand.end))
            if same is not None:
                if abs(same.score - cand.score) < 1e-9 and cand.terms[0] not in same.terms:
                    same.terms.append(cand.terms[0])
                continue
            if any(covered[cand.start : cand.end]):
                continue
            covered[cand.start : cand.end] = [True] * (cand.end - cand.start)
            accepted[(cand.start, cand.end)] = cand
        return sorted(accepted.values(), key=lambda m: m.start)


@dataclass
class ParsedMessage:
    """What the built-in engine understood of one message (ids refer to the vocabulary)."""

    text: str
    category_id: int | None = None
    category_explicit: bool = False
    # Where the category came from: "explicit" (named), "names" (its options, parts or products),
    # "context" (the previous messages) or None.
    category_source: str | None = None
    option_ids: list[int] = field(default_factory=list)
    part_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: str | None = None  # "price_asc" | "price_desc"
    asks_price: bool = False
    asks_stock: bool = False
    asks_out_of_stock: bool = False
    asks_compat: bool = False
    asks_options: bool = False
    is_follow_up: bool = False
    is_greeting: bool = False
    free_text: str = ""
    kind: str = "search"


def parse(message: str, vocab: Vocabulary, context: dict | None = None) -> ParsedMessage:
    """Read a message; `context` (the session's) decides the category when the message names none."""
    context = context or {}
    text = normalize(message)
    parsed = ParsedMessage(text=message)
    parsed.min_price, parsed.max_price, parsed.sort, price_spans = parse_price_limits(text)
    # Numbers inside price phrases must not be read as option names ("under 8" is not "8-speed").
    name_text = text
    for start, end in sorted(price_spans, reverse=True):
        name_text = name_text[:start] + " " + name_text[end:]
    mentions = vocab.match(name_text)

    cats = [t.ref for m in mentions for t in m.terms if t.kind == "category"]
    if cats:
        parsed.category_id = cats[0]
        parsed.category_explicit = True
        parsed.category_source = "explicit"
    else:
        # The category the named options, parts and products belong to, if they agree.
        votes: dict[int, int] = {}
        for m in mentions:
            owners = {_owner_category(vocab, t) for t in m.terms if t.kind != "category"}
            for cat in owners:
                votes[cat] = votes.get(cat, 0) + (2 if len(owners) == 1 else 1)
        if votes:
            best = max(votes.values())
            tied = [c for c, v in votes.items() if v == best]
            previous = context.get("category_id")
            parsed.category_id = previous if previous in tied else tied[0]
            parsed.category_source = "names"
        elif context.get("category_id") in vocab.categories:
            parsed.category_id = context["category_id"]
            parsed.category_source = "context"

    words = tokens_of(name_text)
    used = set()
    by_start = {m.start: m for m in mentions}
    for mention in mentions:
        terms = mention.terms
        if parsed.category_id is not None:
            # A name of another category ("quad" fins when asking about quad skates) is not meant here.
            terms = [t for t in terms if _owner_category(vocab, t) == parsed.category_id]
            if not terms:
                continue
        term = _pick(vocab, terms, mention, by_start)
        used.update(range(mention.start, mention.end))
        if term.kind == "option" and term.ref not in parsed.option_ids:
            parsed.option_ids.append(term.ref)
        elif term.kind == "part" and term.ref not in parsed.part_ids:
            parsed.part_ids.append(term.ref)
        elif term.kind == "product" and term.ref not in parsed.product_ids:
            parsed.product_ids.append(term.ref)
    parsed.free_text = " ".join(
        w for i, w in enumerate(words) if i not in used and w not in STOP_WORDS and not w.replace(".", "").isdigit()
    )

    parsed.asks_out_of_stock = bool(_OUT_OF_STOCK_RE.search(text))
    parsed.asks_stock = parsed.asks_out_of_stock or bool(_STOCK_RE.search(text))
    parsed.asks_price = bool(_PRICE_Q_RE.search(text))
    parsed.asks_compat = bool(_COMPAT_RE.search(text))
    parsed.asks_options = bool(_OPTIONS_Q_RE.search(text))
    parsed.is_follow_up = bool(_FOLLOW_UP_RE.search(text.strip()))
    parsed.is_greeting = bool(_GREETING_RE.search(text)) and not mentions and not parsed.free_text
    parsed.kind = _classify(parsed, text, context)
    return parsed


def _owner_category(vocab: Vocabulary, term: Term) -> int:
    if term.kind == "category":
        return term.ref
    if term.kind == "part":
        return vocab.parts[term.ref].category_id
    if term.kind == "option":
        return vocab.options[term.ref].category_id
    return vocab.products[term.ref].category_id


def _pick(vocab: Vocabulary, terms: list[Term], mention: Mention, by_start: dict[int, Mention]) -> Term:
    """One term for an ambiguous span: the option whose part is named next to it, else the first step.

    `by_start` holds the message's mentions (which never overlap) by their first word.
    """
    if len(terms) == 1:
        return terms[0]
    categories = [t for t in terms if t.kind == "category"]
    if categories:
        return categories[0]  # "skis" is the category before it is the "Ski type" part
    options = [t for t in terms if t.kind == "option"]
    if options:
        # The mentions starting within one word of this one's end (looked up, not scanned: a message can
        # hold thousands of mentions).
        near = (by_start.get(start) for start in (mention.end - 1, mention.end, mention.end + 1))
        neighbours = [m for m in near if m is not None and m is not mention]
        near_parts = {t.ref for m in neighbours for t in m.terms if t.kind == "part"}
        for term in options:
            if vocab.options[term.ref].part_id in near_parts:
                return term
        return min(options, key=lambda t: (vocab.parts[vocab.options[t.ref].part_id].step, t.ref))
    parts = [t for t in terms if t.kind == "part"]
    if parts:
        return min(parts, key=lambda t: (vocab.parts[t.ref].step, t.ref))
    return terms[0]


def _classify(p: ParsedMessage, text: str, context: dict) -> str:
    """The kind of question: compatibility, quote, option_price, option_stock, part_options,
    out_of_stock, product_info, search or help."""
    n_options = len(p.option_ids)
    has_limits = p.min_price is not None or p.max_price is not None or p.sort is not None
    previous_kind = context.get("kind")
    search_like = (
        has_limits
        or (p.category_explicit and bool(_SEARCH_RE.search(text)))
        or (p.is_follow_up and previous_kind == "search" and not p.asks_price and not p.asks_compat)
    )
    if p.is_greeting:
        return "help"
    if p.product_ids and not n_options and not has_limits:
        return "product_info"
    if n_options >= 2 and p.asks_compat and not p.asks_price and not search_like:
        return "compatibility"
    if n_options >= 2 and not search_like and (p.asks_price or not p.category_explicit):
        return "quote"
    if n_options >= 1 and p.is_follow_up and previous_kind in {"quote", "compatibility"} and not has_limits:
        return "compatibility" if p.asks_compat and not p.asks_price else "quote"
    if p.part_ids and not n_options and (p.asks_options or p.asks_stock or p.asks_price):
        return "part_options"
    if p.asks_out_of_stock and not n_options and not p.product_ids and not has_limits:
        return "out_of_stock"
    if n_options == 1 and p.asks_price and not search_like:
        return "quote" if p.category_explicit else "option_price"
    if n_options == 1 and p.asks_stock and not p.category_explicit and not has_limits and _YES_NO_RE.search(text):
        return "option_stock"
    if not (p.category_id or p.option_ids or p.part_ids or p.product_ids or p.free_text or has_limits):
        return "help"
    return "search"
