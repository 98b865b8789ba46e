"""Guided configuration in the chat (built-in engine): "I'd like to build a bike" walks the customer through the
category's parts in step order, one part per answer, and ends with the configurator's price.

Each answer offers the next part's options given the choices so far (guided_steps.py): incompatible ones are
left out with the rule's reason, out-of-stock ones are marked, each has its price from the configurator. The
customer answers in free words (guided_reading.py). No running total is ever stated: the only total is the
configurator's, for the whole configuration, at the last step, with the matching product page (or the
configurator page of these options) and an add-to-cart offer a "yes" confirms (cart_dialogue.py).

A message that neither starts a guide nor answers the current step (a question in the middle) is answered by
the engine as usual; the guide stays where it was and the answer ends with where it stands.
"""

from __future__ import annotations

from collections.abc import Callable

from apps.ai_assistant.assistant.cart_dialogue import PENDING
from apps.ai_assistant.assistant.engine import Answer
from apps.ai_assistant.assistant.guided_reading import (
    Reading,
    asks_to_build,
    category_named,
    is_question,
    link_in_part,
    match_option,
    named_options,
    read_answer,
)
from apps.ai_assistant.assistant.guided_steps import (
    GUIDE,
    Guide,
    GuideRefusal,
    GuideState,
    Step,
    configurator_page,
    product_page,
)
from apps.ai_assistant.assistant.tools.cart import propose_item
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.tools.products import product_facts
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.models import ChatSession
from apps.ai_assistant.retrieval.text import singular

AnswerQuestion = Callable[[str, ChatSession], Answer]
MAX_CATEGORY_WORDS = 6  # "the surfboard, please": an answer to "what would you like to build?"
HOW_TO_ANSWER = ("Answer with an option's name (part of it is enough), “cheapest”, “skip” for an optional part, "
                 "“back”, “start over” or “cancel”.")


def _m(value) -> str:
    return f"{money(value)} {currency()}"


def one_of(category: str) -> str:
    """"bicycle" for Bicycles, "roller skate" for Roller skates: how the customer's one item is called."""
    words = category.lower().split() or ["configuration"]
    return " ".join([*words[:-1], singular(words[-1])])


def _join(names: list[str], word: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


# -- texts ------------------------------------------------------------------------------------------
def step_text(guide: Guide, step: Step, hint: bool = False) -> str:
    """The step's part and its options with their prices given the choices so far (and, with `hint`, how to
    answer: at the first step and after an answer that could not be taken)."""
    need = "required" if step.required else "optional: say “skip” to leave it out"
    lines = [f"Step {step.number} of {step.total} — {step.part} ({need}). Choose one:"]
    for option in step.options:
        stock = "" if option.in_stock else " — temporarily out of stock"
        lines.append(f"- {option.name}: {_m(option.price)}{stock}")
    for left in step.left_out:
        lines.append(f"- not possible with your choices: {left.name} ({' '.join(left.reasons)})")
    if not step.orderable:
        lines.append(f"No {step.part.lower()} option can be ordered with your choices right now: say “back” to "
                     "change your last choice, or “start over”.")
    if hint:
        lines.append(HOW_TO_ANSWER)
    return "\n".join(lines)


def where_it_stands(guide: Guide) -> str:
    """One line for the end of an answer to another question: the guide is still there."""
    step = guide.step()
    if step is None:
        return ""
    names = _join([o.name for o in step.orderable], "or") if step.orderable else "no option in stock"
    return (f"(We're still building your {one_of(guide.category)}: step {step.number} of {step.total}, "
            f"{step.part} — {names}. Say “cancel” to stop.)")


def finished_answer(guide: Guide, context: dict) -> Answer:
    """The configurator's total and breakdown, the product page or the configurator page, and a cart offer."""
    done = guide.finish()
    chosen = [name for _, name in guide.chosen() if name]
    lines = [f"Your {one_of(done.category)} is complete: {_join(chosen) if chosen else 'no options'}."]
    if done.valid:
        lines.append(f"Total from the configurator: {money(done.price)} {done.currency}:")
    else:
        lines.append("It can't be ordered as it is right now: " + " ".join(done.problems)
                     + f" Its price would be {money(done.price)} {done.currency}:")
    lines += [f"- {line.part}: {line.option} {money(line.price)} {done.currency}" for line in done.breakdown]
    cards = []
    if done.product_id is not None:
        facts = product_facts([done.product_id])
        cards = [f.card() for f in facts]
        url = product_page(done.product_id) or (cards[0]["url"] if cards else "")
        if facts:
            lines.append(f"That's exactly our ready-made {facts[0].name}: {url}")
    else:
        url = configurator_page(guide.catalog.category.slug, done.option_ids)
        lines.append(f"Your quote, to review or change: {url}" if url else
                     f"Your quote: POST /api/configurator/quote {{\"category\": {done.category_id}, "
                     f"\"options\": {done.option_ids}}}")
    new_context = {key: value for key, value in context.items() if key != GUIDE}
    # What the engine's follow-ups read ("and with red rims?", "add it to my cart").
    new_context.update(kind="quote", category_id=done.category_id, quote_option_ids=done.option_ids)
    if done.valid:
        proposal = (propose_item(product=done.product_id) if done.product_id is not None
                    else propose_item(category=done.category_id, options=done.option_ids))
        if "pending_cart" in proposal:
            lines.append(proposal["question"])
            new_context[PENDING] = proposal["pending_cart"]
    return Answer("\n".join(lines), cards, done.sources, context=new_context)


# -- turns ------------------------------------------------------------------------------------------
def _with_guide(context: dict, guide_state: GuideState | None) -> dict:
    rest = {key: value for key, value in context.items() if key != GUIDE}
    return rest if guide_state is None else {**rest, GUIDE: guide_state.to_context()}


def _step_answer(guide: Guide, context: dict, lead: str = "", hint: bool = False) -> Answer:
    taken = guide.take_presets()  # options named earlier whose part has come
    lead = " ".join(x for x in (lead, *taken) if x)
    step = guide.step()
    if step is None:
        return finished_answer(guide, context)
    text = (lead + "\n" if lead else "") + step_text(guide, step, hint)
    sources = [f"category:{guide.state.category_id}", f"part:{step.part_id}"]
    return Answer(text, sources=sources, context=_with_guide(context, guide.state))


def _ask_category(vocab: Vocabulary, context: dict, lead: str = "") -> Answer:
    names = _join([c.name.lower() for c in vocab.categories.values()], "or")
    if not names:
        return Answer("There is nothing to configure in the shop right now.", context=_with_guide(context, None))
    text = (lead + " " if lead else "") + f"Happy to help you build one. What would you like to build: {names}?"
    return Answer(text, context=_with_guide(context, GuideState(None)))


def start(category_id: int | None, vocab: Vocabulary, context: dict, message: str = "") -> Answer:
    """A new guide for `category_id` (or the question which category, when None), with the options `message`
    names taken when their parts come."""
    if category_id is None:
        return _ask_category(vocab, context)
    guide = Guide.open(GuideState(category_id, presets=named_options(message, vocab, category_id)))
    if guide is None:
        return _ask_category(vocab, context, "That isn't something we sell any more.")
    if not guide.parts:
        return Answer(f"There is nothing to choose for {guide.category.lower()}.", context=_with_guide(context, None))
    lead = (f"Let's build your {one_of(guide.category)}, one part at a time; I'll give you the configurator's "
            "price when every part is chosen.")
    if guide.state.presets:
        named = [guide.catalog.options[i].name for i in guide.state.presets.values()]
        lead += f" You asked for {_join(named)}: I'll take " + ("it at its step." if len(named) == 1
                                                                 else "them at their steps.")
    return _step_answer(guide, context, lead, hint=True)


def _apply(reading: Reading, guide: Guide, step: Step) -> str:
    """Carry out a reading on the guide; the sentence that leads the next answer."""
    if reading.kind in {"cheapest", "priciest", "any"}:
        pick = guide.choose_by_price(highest=reading.kind == "priciest")
        return f"{step.part}: {pick.name} ({_m(pick.price)})."
    if reading.kind == "choose":
        guide.choose(reading.option_id)
        name = guide.catalog.options[reading.option_id].name
        return f"{step.part}: {name}."
    if reading.kind == "skip":
        guide.skip()
        return f"No {step.part.lower()}."
    if reading.kind == "back":
        return "Back one step." if guide.back() else "We're at the first step."
    guide.restart()
    return "Starting over."


def continue_guide(message: str, state: GuideState, context: dict, answer_question: AnswerQuestion,
                   session: ChatSession) -> Answer:
    """The answer to a message while a guide is under way."""
    if state.category_id is None:  # we asked what to build
        return _which_category(message, context, answer_question, session)
    guide = Guide.open(state)
    if guide is None:
        return Answer("That configuration can't be continued: the product family is no longer sold.",
                      context=_with_guide(context, None))
    if guide.dropped:
        # The catalog changed under the guide (stock, rules): say so and ask that step again.
        return _step_answer(guide, context, f"Things changed since your choice: {guide.dropped}", hint=True)
    step = guide.step()
    if step is None:
        return finished_answer(guide, context)
    listed = [(o.id, o.name) for o in step.options]
    reading = read_answer(message, listed + [(o.id, o.name) for o in step.left_out], step.part)
    if reading.kind == "cancel":
        return Answer(f"All right, I've cancelled the {one_of(guide.category)} configuration.",
                      context=_with_guide(context, None))
    if reading.kind == "question":
        return _aside(message, session, answer_question, guide)
    if reading.kind == "repeat":
        return _step_answer(guide, context, "Here are the choices again.", hint=True)
    if reading.kind == "describe":
        return _step_answer(guide, context, _descriptions(guide, reading.candidates or [reading.option_id]))
    if reading.kind == "unclear" and not reading.candidates:
        texts = {o.id: f"{o.name} {guide.catalog.options[o.id].description}" for o in step.options + step.left_out}
        linked = link_in_part(message, step.part, texts, Vocabulary.load())
        if linked is not None:
            reading = Reading("choose", linked)
    if reading.kind == "unclear":
        return _unclear(guide, step, reading, message, context)
    try:
        lead = _apply(reading, guide, step)
    except GuideRefusal as refusal:
        return _step_answer(guide, context, str(refusal), hint=True)
    return _step_answer(guide, context, lead)


def _which_category(message: str, context: dict, answer_question: AnswerQuestion, session: ChatSession) -> Answer:
    """The answer to "what would you like to build?": a category ("the skis") starts its guide; a question or
    anything longer than a short answer ("show me bikes under 900") is answered as usual and the offer dropped."""
    vocab = Vocabulary.load()
    reading = read_answer(message, [], "")
    if reading.kind == "cancel":
        return Answer("All right, no configuration.", context=_with_guide(context, None))
    category_id = category_named(message, vocab)
    if category_id is not None and len(message.split()) <= MAX_CATEGORY_WORDS and not is_question(message):
        return start(category_id, vocab, context, message)
    if reading.kind == "unclear" and category_id is None:
        return _ask_category(vocab, context, "Sorry, I didn't catch that.")
    answer = answer_question(message, session)
    answer.context = _with_guide(answer.context if answer.context is not None else context, None)
    return answer


def _descriptions(guide: Guide, option_ids: list[int]) -> str:
    """What the catalog says about the options asked about (their descriptions, as written by the shop)."""
    lines = []
    for option_id in option_ids:
        option = guide.catalog.options[option_id]
        lines.append(f"{option.name}: {option.description.strip() or 'no description in the catalog.'}")
    return "\n".join(lines)


def _unclear(guide: Guide, step: Step, reading: Reading, message: str, context: dict) -> Answer:
    if reading.candidates:
        names = _join([guide.catalog.options[i].name for i in reading.candidates], "or")
        return _step_answer(guide, context, f"Which one do you mean: {names}?", hint=True)
    # An option of another part ("black" at the finish step) is for later, or was chosen already.
    later = [(n, part) for n, part in enumerate(guide.parts, start=1) if part.pk != step.part_id
             and match_option(message, [(o.pk, o.name) for o in guide.catalog.options_by_part[part.pk]], part.name)]
    if later:
        n, part = later[0]
        when = f"comes at step {n}" if n > step.number else "was chosen already (say “back” to change it)"
        return _step_answer(guide, context, f"That's a {part.name.lower()} option, which {when}; now for "
                                            f"{step.part.lower()}.", hint=True)
    return _step_answer(guide, context, f"Sorry, I didn't understand which {step.part.lower()} you'd like.",
                        hint=True)


def _aside(message: str, session: ChatSession, answer_question: AnswerQuestion, guide: Guide) -> Answer:
    """Another question in the middle of a guide: answered as usual, the guide kept where it was (whatever
    context the answer sets) and where it stands said at the end."""
    answer = answer_question(message, session)
    context = answer.context if answer.context is not None else dict(session.context or {})
    answer.context = _with_guide(context, guide.state)
    answer.text = f"{answer.text}\n\n{where_it_stands(guide)}".rstrip()
    return answer


def take_turn(message: str, session: ChatSession, answer_question: AnswerQuestion) -> Answer:
    """The guide's answer to `message` (it starts a guide or one is under way), or `answer_question`'s."""
    context = dict(session.context or {})
    state = GuideState.from_context(context)
    if asks_to_build(message):
        vocab = Vocabulary.load()
        category_id = category_named(message, vocab)
        # "Can I build one with a diamond frame and mountain wheels?" asks about that configuration: the engine
        # answers it. A wish with options ("build me a bike with red rims") starts a guide with them.
        if not (category_id is not None and is_question(message) and named_options(message, vocab, category_id)):
            return start(category_id, vocab, context, message)
    if state is None:
        return answer_question(message, session)
    # The catalog's vocabulary is loaded only where names outside the step are read: a step needs its category.
    return continue_guide(message, state, context, answer_question, session)
