"""The built-in answer engine: understands the catalog's own words (understanding/) and answers from the
database and the configurator through the tools (answers/: one module per kind of question), with no network."""

from __future__ import annotations

from collections.abc import Callable

from apps.ai_assistant.assistant.answers.catalog_answers import (
    answer_option_price,
    answer_option_stock,
    answer_out_of_stock,
    answer_part_options,
    answer_product_info,
)
from apps.ai_assistant.assistant.answers.configuration_answers import (
    answer_compatibility,
    answer_option_with_part,
    answer_quote,
)
from apps.ai_assistant.assistant.answers.help_answers import answer_help, answer_not_sold, answer_use_case
from apps.ai_assistant.assistant.answers.search_answers import answer_search
from apps.ai_assistant.assistant.cart_dialogue import propose_last_shown, wants_to_add
from apps.ai_assistant.assistant.engine import Answer, AnswerEngine
from apps.ai_assistant.assistant.guided_dialogue import take_turn
from apps.ai_assistant.assistant.understanding.parser import ParsedMessage, parse
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.models import ChatSession

Handler = Callable[[ParsedMessage, Vocabulary, dict], Answer | None]

# The answer for each kind of question parse() recognises; a handler that returns None leaves it to help.
HANDLERS: dict[str, Handler] = {
    "search": answer_search,
    "compatibility": answer_compatibility,
    "option_with_part": answer_option_with_part,
    "quote": answer_quote,
    "option_price": answer_option_price,
    "option_stock": answer_option_stock,
    "part_options": answer_part_options,
    "out_of_stock": answer_out_of_stock,
    "product_info": answer_product_info,
    "not_sold": answer_not_sold,
    "use_case": answer_use_case,
    "help": answer_help,
}


class BuiltinEngine(AnswerEngine):
    """Understands the catalog's own words (parser.py) and answers from the database and the configurator."""

    name = "builtin"

    def answer(self, message: str, session: ChatSession) -> Answer:
        # A guided configuration ("I'd like to build a bike") under way or asked for takes the message first;
        # any other message, a question in the middle of one included, is answered below (guided_dialogue.py).
        answer = take_turn(message, session, self._answer_question)
        answer.engine = self.name
        return answer

    def _answer_question(self, message: str, session: ChatSession) -> Answer:
        vocab = Vocabulary.load()
        context = dict(session.context or {})
        if wants_to_add(message):  # "add that one to my cart": a confirmation question (cart_dialogue.py)
            answer = propose_last_shown(message, session, context)
            answer.engine = self.name
            return answer
        parsed = parse(message, vocab, context)
        answer = HANDLERS[parsed.kind](parsed, vocab, context) or answer_help(parsed, vocab, context)
        answer.engine = self.name
        answer.sources = list(dict.fromkeys(answer.sources))
        return answer
