"""Text handling of user input runs in linear time: no regular expression of the project backtracks on
hostile text, and every public text input (chat message, search `q`, catalog names) is understood within
50 ms whatever its shape.

The finding: the chat parser's price patterns took ~30 s of CPU for "1" + 2,000 spaces + "a" (cubic), so two
anonymous chat messages blocked both web workers. Each check here is cut off after a second of CPU, so a
backtracking pattern fails the test quickly instead of hanging it.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import math
import pkgutil
import re
import signal
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from apps.ai_assistant.api.chat_serializers import MAX_MESSAGE_CHARS, ChatRequestSerializer
from apps.ai_assistant.api.search_serializers import SearchQuerySerializer
from apps.ai_assistant.assistant.understanding import parser, prices, vocabulary
from apps.ai_assistant.assistant.understanding.vocabulary import (
    CategoryInfo,
    OptionInfo,
    PartInfo,
    ProductInfo,
    Vocabulary,
)
from apps.ai_assistant.retrieval import text as rtext
from apps.ai_assistant.retrieval.embeddings import HashingProvider
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.keyword_search import exact_matches, query_words
from apps.catalog.api.serializers import CategorySerializer, PartOptionSerializer, PartSerializer
from apps.preconfigured_products.api.serializers import ProductSerializer
from tests.assistant.conftest import demo_catalog  # noqa: F401 (a fixture)

BUDGET = 0.050  # seconds per call
CUT_OFF = 1.0  # CPU seconds after which a call is interrupted: it has failed by then
ENOUGH = 10  # slow calls after which a test stops looking and reports them
LENGTH = 10_000
FINDING = "1" + " " * 2000 + "a"
ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("apps", "ecommerce_backend")
MAX_Q = 500  # SearchQuerySerializer.q


def _fill(unit: str, length: int = LENGTH) -> str:
    return (unit * (length // len(unit) + 1))[:length]


SHAPES: dict[str, str] = {
    "the finding": FINDING,
    "digit, spaces, letter": "1" + " " * (LENGTH - 2) + "a",
    "digit, spaces": "1" + " " * (LENGTH - 1),
    "digit, spaces, k, spaces, letter": "1" + " " * 4999 + "k" + " " * 4999 + "a",
    "currency, spaces, letter": "€" + " " * (LENGTH - 2) + "a",
    "eur, spaces, digit, spaces, letter": "eur" + " " * 4998 + "1" + " " * 4998 + "a",
    "keyword, spaces, letter": "under" + " " * (LENGTH - 6) + "a",
    "keyword, spaces, digits, spaces": "between" + " " * 3000 + "1" * 3000 + " " * 3993,
    "spaces": " " * LENGTH,
    "tabs and newlines": _fill("\t\n "),
    "digits": "1" * LENGTH,
    "digits, letter": "1" * (LENGTH - 1) + "a",
    "alternating digit/space": _fill("1 "),
    "digit, dot": _fill("1."),
    "digit, comma": _fill("1,"),
    "digit, k": _fill("1k "),
    "letters": "a" * LENGTH,
    "letters and digits": _fill("a1"),
    "dots": "." * LENGTH,
    "opening brackets": "(" * LENGTH,
    "quotes": _fill("'’"),
    "dashes": "-" * LENGTH,
    "less-than": "<" * LENGTH,
    "euro signs": "€" * LENGTH,
    "mixed punctuation": _fill(".,;:!?-'\"()[]{}<>=€$£%&/\\"),
    "repeated word": _fill("bike "),
    "repeated glued word": _fill("bikes"),
    "repeated catalog words": _fill("red rims matte frame "),
    "repeated price words": _fill("under 1 k eur "),
    "repeated ranges": _fill("between 1 and "),
    "repeated from-to": _fill("from 1 to 2 "),
    "repeated suffixes": _fill("1 or less 2 or more "),
    "repeated questions": _fill("is there what would "),
    "repeated dotted words": _fill("a.b'c."),
    "unicode spaces": "1" + "\u00a0" * (LENGTH - 2) + "a",
    "unicode digits": "\u0661" * LENGTH,
    "unicode digits and spaces": "\u0661" + "\u2003" * (LENGTH - 2) + "a",
    "accented letters": _fill("é"),
    "cjk": _fill("日本語"),
    "emoji": _fill("🚲"),
}


class _CutOff(Exception):
    pass


def _raise_cut_off(signum, frame):
    raise _CutOff


def _seconds(call: Callable[[], object]) -> tuple[float, float]:
    """(wall time, CPU time) of one call, both inf when it used more than CUT_OFF seconds of CPU.

    The timer is SIGVTALRM (CPU time), so it does not disturb pytest-timeout's SIGALRM; the regular
    expression engine checks for signals while it runs, so even a backtracking pattern is interrupted.
    """
    previous = signal.signal(signal.SIGVTALRM, _raise_cut_off)
    signal.setitimer(signal.ITIMER_VIRTUAL, CUT_OFF)
    started, started_cpu = time.perf_counter(), time.thread_time()
    try:
        call()
        return time.perf_counter() - started, time.thread_time() - started_cpu
    except _CutOff:
        return math.inf, math.inf
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _slow(call: Callable[[], object], tries: int = 3, budget: float = BUDGET) -> float | None:
    """The best wall time of a few tries when the call is over `budget`, else None.

    Over budget means in wall time (perf_counter) and in this thread's CPU time: the other test runs on
    the machine can stretch the wall time of a quick call, not the work it does; a super-linear call is
    over both, every time.
    """
    best = best_cpu = math.inf
    for _ in range(tries):
        wall, cpu = _seconds(call)
        best, best_cpu = min(best, wall), min(best_cpu, cpu)
        if best <= budget or best_cpu <= budget:
            return None
        if best == math.inf:
            break  # a second of CPU: no point in waiting for it again
    return best


def _report(slow: list[tuple[str, float]]) -> str:
    return "\n".join(f"{what}: {'> 1 s' if t == math.inf else f'{t * 1000:.0f} ms'}" for what, t in slow)


# -- (a) every pattern of the project ---------------------------------------------------------------


def _project_modules() -> Iterator:
    for package in PACKAGES:
        module = importlib.import_module(package)
        yield module
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            yield importlib.import_module(info.name)


def _patterns_in(value: object, depth: int = 0) -> Iterator[re.Pattern]:
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 2 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, depth + 1)


def _compiled_patterns() -> dict[str, re.Pattern]:
    """Patterns held by the project's modules and their classes (module level, in lists and dicts)."""
    found: dict[str, re.Pattern] = {}
    for module in _project_modules():
        classes = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
        holders = [module, *classes]
        for holder in holders:
            for name, value in vars(holder).items():
                for pattern in _patterns_in(value):
                    found.setdefault(f"{holder.__name__}.{name} {pattern.pattern[:60]!r}", pattern)
    return found


_RE_FUNCTIONS = {"compile", "match", "fullmatch", "search", "findall", "finditer", "sub", "subn", "split"}


def _literal_patterns() -> dict[str, re.Pattern]:
    """Literal patterns in the source: re.<function>("...") calls anywhere (also inside functions, which the
    module scan cannot see) and `..._regex = "..."` attributes such as a viewset's lookup_value_regex."""
    found: dict[str, re.Pattern] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                literal = None
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re"
                    and node.func.attr in _RE_FUNCTIONS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    literal = node.args[0].value
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                    if any(name.lower().endswith(("_regex", "_re")) for name in names) and isinstance(
                        node.value.value, str
                    ):
                        literal = node.value.value
                if literal is not None:
                    where = f"{path.relative_to(ROOT)}:{node.lineno} {literal[:60]!r}"
                    found[where] = re.compile(literal)
    return found


def _operations(pattern: re.Pattern, text: str) -> dict[str, Callable[[], object]]:
    return {
        "search": lambda: pattern.search(text),
        "match": lambda: pattern.match(text),
        "findall": lambda: pattern.findall(text),
        "sub": lambda: pattern.sub(" ", text),
    }


def test_the_finding_is_read_in_linear_time():
    """"1" + 2,000 spaces + "a" took ~30 s in the price patterns; now each takes well under 50 ms."""
    slow = []
    for pattern in prices._BETWEEN_RES + prices._MAX_RES + prices._MIN_RES:
        for shape in (FINDING, SHAPES["digit, spaces, letter"]):
            if (t := _slow(lambda p=pattern, s=shape: p.search(s))) is not None:
                slow.append((f"{pattern.pattern[:50]!r} on {len(shape)} chars", t))
    if (t := _slow(lambda: prices.parse_price_limits(FINDING))) is not None:
        slow.append(("parse_price_limits", t))
    assert not slow, _report(slow)


def test_no_pattern_of_the_project_backtracks():
    compiled, literals = _compiled_patterns(), _literal_patterns()
    # The guard is only as good as its scan: it must see the parser's patterns and the inline literals.
    for pattern in prices._BETWEEN_RES + prices._MAX_RES + prices._MIN_RES + [parser._COMPAT_RE, rtext._WORD_RE]:
        assert pattern in compiled.values()
    assert any("a-zA-Z0-9" in where for where in literals)  # the collection-name slugs, inside functions
    assert any("thru" in where for where in literals)
    slow = []
    for (where, pattern), (shape_name, shape) in itertools.product({**compiled, **literals}.items(), SHAPES.items()):
        for text in {shape, shape.upper()}:
            for operation, call in _operations(pattern, text).items():
                if (t := _slow(call)) is not None:
                    slow.append((f"{where} {operation} on {shape_name}", t))
        if len(slow) >= ENOUGH:
            break
    assert not slow, _report(slow)


def test_price_phrases_read_as_before():
    """The linear patterns read the same limits and spans as the backtracking ones did."""
    cases = {
        "bikes under 900": (None, Decimal(900)),
        "between 500 and 1,200 euros": (Decimal(500), Decimal(1200)),
        "from €300 to €1.5k": (Decimal(300), Decimal("1500")),
        "1k or less": (None, Decimal(1000)),
        "skis  700  eur   or more": (Decimal(700), None),
        "budget of 2 k": (None, Decimal(2000)),
        "at least $ 250.50": (Decimal("250.50"), None),
        "under 500 600 or more": (None, Decimal(500)),
        "roller skates 80 dollars max": (None, Decimal(80)),
    }
    for text, (low, high) in cases.items():
        got_low, got_high, _, _ = prices.parse_price_limits(parser.normalize(text))
        assert (got_low, got_high) == (low, high), text
    assert prices.parse_price_limits("under 500   bikes")[3] == [(0, 12)]
    assert vocabulary._without_brackets("Indoor wheels (95A) (new") == "Indoor wheels   (new"


# -- (b) every public text input, end to end --------------------------------------------------------


def _names_vocabulary(name: str) -> Vocabulary:
    """A vocabulary whose catalog names are all `name` (what the chat parser builds from catalog rows)."""
    return Vocabulary(
        [CategoryInfo(1, name, "c")],
        [PartInfo(1, 1, name, 1, True)],
        [OptionInfo(1, 1, 1, name, Decimal(1), True), OptionInfo(2, 1, 1, "red", Decimal(1), True)],
        [ProductInfo(1, 1, name)],
    )


@pytest.mark.django_db
def test_every_public_text_input_is_understood_in_linear_time(demo_catalog):  # noqa: F811
    """Chat message, search `q` and catalog names, each shape within 50 ms per step at the longest text a
    request carries, and the chat parser's time in proportion beyond it. Whole requests also touch the
    database and the index; what is timed is the text handling of each step."""
    # A request's work is bounded by its size: messages, queries and names have a maximum length.
    for field, serializer in {
        "message": ChatRequestSerializer(data={"message": SHAPES["letters"]}),
        "q": SearchQuerySerializer(data={"q": SHAPES["letters"]}),
    }.items():
        assert not serializer.is_valid()
        assert serializer.errors[field][0].code == "max_length", field
    for serializer_class in (CategorySerializer, PartSerializer, PartOptionSerializer, ProductSerializer):
        assert serializer_class().fields["name"].max_length is not None, serializer_class.__name__

    vocab = Vocabulary.load()
    provider = HashingProvider()
    follow_up = {"kind": "search", "category_id": next(iter(vocab.categories))}
    steps: dict[str, Callable[[str], object]] = {
        "chat: request validation": lambda text: ChatRequestSerializer(data={"message": text}).is_valid(),
        # What a request can carry: the serializer refuses a longer message before the parser sees it.
        "chat: parse": lambda text: parser.parse(text[:MAX_MESSAGE_CHARS], vocab, {}),
        "chat: parse of a follow-up": lambda text: parser.parse(text[:MAX_MESSAGE_CHARS], vocab, follow_up),
        "chat: name lookups": lambda text: (vocab.find_category(text), vocab.find_option(None, text)),
        "search: request validation": lambda text: SearchQuerySerializer(data={"q": text}).is_valid(),
        "search: tokens": lambda value: (rtext.words(value), rtext.normalize(value)),
        # The keyword query's own work (words, vocabulary look-ups, misspellings); the ranking is the database's.
        "search: keyword query": lambda value: (
            query_words("c", value[:MAX_Q]),
            exact_matches("c", value[:MAX_Q], SearchFilters()),
        ),
        "search: query embedding": lambda text: provider.embed_one(text[:MAX_Q]),
        "names: chat vocabulary": _names_vocabulary,
        "names: category": lambda text: CategorySerializer(data={"name": text}).is_valid(),
        "names: part": lambda text: PartSerializer(data={"name": text, "category": 1}).is_valid(),
        "names: option": lambda text: PartOptionSerializer(data={"name": text, "part": 1}).is_valid(),
        "names: product": lambda text: ProductSerializer(data={"name": text, "category": 1}).is_valid(),
    }
    # Beyond a request's size the parser's work still grows in proportion: 5x the text within 5x the budget,
    # which a quadratic parser (25x) misses.
    scale = LENGTH / MAX_MESSAGE_CHARS
    scaled_steps: dict[str, Callable[[str], object]] = {
        f"chat: parse of {LENGTH} characters": lambda text: parser.parse(text, vocab, {}),
        f"chat: parse of a follow-up of {LENGTH} characters": lambda text: parser.parse(text, vocab, follow_up),
    }
    slow = []
    for shape_name, shape in SHAPES.items():
        for text in {shape, shape.upper()}:
            for step, call in steps.items():
                if (t := _slow(lambda c=call, s=text: c(s))) is not None:
                    slow.append((f"{step} on {shape_name}", t))
            for step, call in scaled_steps.items():
                if (t := _slow(lambda c=call, s=text: c(s), budget=BUDGET * scale)) is not None:
                    slow.append((f"{step} on {shape_name}", t))
        if len(slow) >= ENOUGH:
            break
    assert not slow, _report(slow)
