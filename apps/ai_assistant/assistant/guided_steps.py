"""Guided configuration, the steps: where a customer's configuration stands, what the next part offers and what
each answer does to it. Both engines use it (the built-in one through guided_dialogue.py, the OpenAI one
through guided_tools.py); every price and every verdict comes from the configurator service.

The state lives in the chat session's context under GUIDE: {"category_id": id or None, "choices": [[part_id,
option_id or None], ...], "presets": {part_id: option_id}}: one choice per part answered, in step order (None:
an optional part skipped), and the options the customer named before their part's turn ("build a bike with red
rims"), taken when that part comes. A category_id of None: the customer wants to build something, not yet
said what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from apps.catalog.selectors.configurator import CURRENCY, CategoryCatalog, load_catalog
from apps.catalog.services.configurator import LineItem, evaluate_with_catalog
from apps.preconfigured_products.models import PreConfiguredProductOption

GUIDE = "guide"


class GuideRefusal(ValueError):
    """An answer the configuration cannot take (an incompatible or out-of-stock option, a required part
    skipped); the message says why, in the customer's terms."""


@dataclass
class GuideState:
    category_id: int | None
    choices: list[tuple[int, int | None]] = field(default_factory=list)
    presets: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_context(cls, context: dict | None) -> GuideState | None:
        """The guide stored in a session context, or None when none is under way (or it is malformed)."""
        raw = (context or {}).get(GUIDE)
        if not isinstance(raw, dict):
            return None
        category_id = raw.get("category_id")
        if category_id is not None and not isinstance(category_id, int):
            return None
        choices = []
        for item in raw.get("choices") or []:
            if not (isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], int)):
                return None
            choices.append((item[0], item[1] if isinstance(item[1], int) else None))
        raw_presets = raw.get("presets") or {}
        presets = {int(part): option for part, option in raw_presets.items()
                   if str(part).isdecimal() and isinstance(option, int)} if isinstance(raw_presets, dict) else {}
        return cls(category_id, choices, presets)

    def to_context(self) -> dict:
        return {"category_id": self.category_id, "choices": [[part, option] for part, option in self.choices],
                "presets": {str(part): option for part, option in self.presets.items()}}

    @property
    def option_ids(self) -> list[int]:
        return [option for _, option in self.choices if option is not None]


@dataclass
class StepOption:
    id: int
    name: str
    price: Decimal  # the configurator's price given the choices so far
    in_stock: bool


@dataclass
class LeftOut:
    id: int
    name: str
    reasons: list[str]  # the incompatibility rules' messages


@dataclass
class Step:
    number: int
    total: int
    part_id: int
    part: str
    required: bool
    options: list[StepOption]  # choosable (compatible) ones, out-of-stock ones included and marked
    left_out: list[LeftOut]

    @property
    def orderable(self) -> list[StepOption]:
        return [o for o in self.options if o.in_stock]


@dataclass
class Finished:
    category_id: int
    category: str
    option_ids: list[int]
    valid: bool
    price: Decimal
    currency: str
    breakdown: list[LineItem]
    problems: list[str]  # the configurator's errors when the configuration cannot be ordered now
    product_id: int | None  # the pre-configured product with exactly these options, if one exists
    sources: list[str]


class Guide:
    """One guided configuration against the category's catalog as it is now (loaded once per turn)."""

    def __init__(self, state: GuideState, catalog: CategoryCatalog) -> None:
        self.state = state
        self.catalog = catalog
        self.parts = list(catalog.parts)
        self.dropped = ""  # why open() cut the stored choices back, if it did

    @classmethod
    def open(cls, state: GuideState) -> Guide | None:
        """The guide of `state`, its choices cut back to the first one the catalog no longer allows (a part
        removed, an option deactivated, a rule added since); None when the category is gone."""
        if state.category_id is None:
            return None
        catalog = load_catalog(state.category_id)
        if catalog is None or not catalog.category.is_active:
            return None
        guide = cls(GuideState(state.category_id, presets=dict(state.presets)), catalog)
        for part_id, option_id in state.choices:
            current = guide._current_part()
            if current is None or current.pk != part_id:
                break  # the parts changed order or one was removed
            try:
                if option_id is None:
                    guide.skip()
                else:
                    guide.choose(option_id)
            except GuideRefusal as refusal:
                guide.dropped = str(refusal)
                break
        return guide

    @property
    def category(self) -> str:
        return self.catalog.category.name

    def _current_part(self):
        index = len(self.state.choices)
        return self.parts[index] if index < len(self.parts) else None

    def _judge(self, option) -> StepOption | LeftOut:
        """The configurator's verdict on adding `option` to the choices so far: its price under their price
        rules, or the incompatibility rules' messages that leave it out."""
        verdict = evaluate_with_catalog(self.catalog, [*self.state.option_ids, option.pk], with_available=False)
        reasons = [e.message for e in verdict.errors if e.code == "incompatible" and option.pk in e.options]
        if reasons:
            return LeftOut(option.pk, option.name, list(dict.fromkeys(reasons)))
        price = next(line.price for line in verdict.breakdown if line.option_id == option.pk)
        return StepOption(option.pk, option.name, price, option.in_stock)

    def step(self) -> Step | None:
        """The next part to answer with its options given the choices so far; None when every part is answered."""
        part = self._current_part()
        if part is None:
            return None
        judged = [self._judge(option) for option in self.catalog.options_by_part[part.pk] if option.is_active]
        options = [j for j in judged if isinstance(j, StepOption)]
        left_out = [j for j in judged if isinstance(j, LeftOut)]
        return Step(len(self.state.choices) + 1, len(self.parts), part.pk, part.name, part.required, options, left_out)

    def choose(self, option_id: int) -> None:
        """Answer the current part with `option_id`; GuideRefusal says why it cannot be taken. Only this option
        is judged, so replaying a session's choices costs one evaluation per choice."""
        part = self._current_part()
        if part is None:
            raise GuideRefusal("Every part is chosen already.")
        option = self.catalog.options.get(option_id)
        if option is None or option.part_id != part.pk or not option.is_active:
            raise GuideRefusal(f"That is not an option for {part.name}.")
        judged = self._judge(option)
        if isinstance(judged, LeftOut):
            raise GuideRefusal(f"{judged.name} isn't possible with your choices: {' '.join(judged.reasons)}")
        if not judged.in_stock:
            raise GuideRefusal(f"{judged.name} is temporarily out of stock, so it can't be ordered now; please "
                               "choose another option.")
        self.state.choices.append((part.pk, option_id))

    def choose_by_price(self, highest: bool = False) -> StepOption:
        """Choose the cheapest (or, with `highest`, the dearest) option of the current part that can be ordered,
        at its price given the choices so far (the lower id on a tie); the option chosen."""
        step = self.step()
        if step is None:
            raise GuideRefusal("Every part is chosen already.")
        if not step.orderable:
            raise GuideRefusal(f"No {step.part.lower()} option can be ordered with your choices right now.")
        pick = (max if highest else min)(step.orderable, key=lambda o: (o.price, -o.id if highest else o.id))
        self.choose(pick.id)
        return pick

    def take_presets(self) -> list[str]:
        """Choose the options named in advance whose part has come; a sentence for each (why, when refused)."""
        notes = []
        while (step := self.step()) is not None and step.part_id in self.state.presets:
            option_id = self.state.presets.pop(step.part_id)
            try:
                self.choose(option_id)
            except GuideRefusal as refusal:
                notes.append(str(refusal))
                break
            notes.append(f"{step.part}: {self.catalog.options[option_id].name}, as you asked.")
        return notes

    def skip(self) -> None:
        """Leave the current part out; GuideRefusal when it is required."""
        part = self._current_part()
        if part is None:
            raise GuideRefusal("Every part is chosen already.")
        if part.required:
            raise GuideRefusal(f"{part.name} is required, so it can't be skipped. Please choose one of the options.")
        self.state.choices.append((part.pk, None))

    def back(self) -> bool:
        """Undo the last answer; False when there was none."""
        if not self.state.choices:
            return False
        self.state.choices.pop()
        return True

    def restart(self) -> None:
        self.state.choices.clear()
        self.state.presets.clear()

    def chosen(self) -> list[tuple[str, str | None]]:
        """(part, option name or None when skipped) of each answered part, in step order."""
        names = {part.pk: part.name for part in self.parts}
        return [(names[part_id], self.catalog.options[option_id].name if option_id else None)
                for part_id, option_id in self.state.choices]

    def finish(self) -> Finished:
        """The configurator's verdict and price of the whole configuration (the same evaluation as
        POST /api/configurator/quote), and the matching pre-configured product."""
        option_ids = self.state.option_ids
        verdict = evaluate_with_catalog(self.catalog, option_ids)
        sources = [f"category:{self.state.category_id}", *(f"part:{part.pk}" for part in self.parts),
                   *(f"price_rule:{line.rule}" for line in verdict.breakdown if line.rule is not None)]
        return Finished(
            category_id=self.catalog.category.pk,
            category=self.category,
            option_ids=option_ids,
            valid=verdict.valid,
            price=verdict.price,
            currency=CURRENCY,
            breakdown=verdict.breakdown,
            problems=[e.message for e in verdict.errors],
            product_id=matching_product(self.catalog.category.pk, option_ids) if verdict.valid else None,
            sources=sources,
        )


def matching_product(category_id: int, option_ids: list[int]) -> int | None:
    """The active pre-configured product of the category whose options are exactly `option_ids` (one query)."""
    ids = sorted(set(option_ids))
    if not ids:
        return None
    rows = (
        PreConfiguredProductOption.objects.filter(product__category_id=category_id, product__is_active=True)
        .values("product_id")
        .annotate(size=Count("id"), hits=Count("id", filter=Q(option_id__in=ids)))
        .filter(size=len(ids), hits=len(ids))
        .order_by("product_id")
    )
    first = rows.first()
    return first["product_id"] if first else None


def _page(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:  # the storefront is not installed
        return None


def product_page(product_id: int) -> str | None:
    """The storefront page of a pre-configured product (None without the storefront)."""
    return _page("storefront:product", product_id)


def configurator_page(category_slug: str, option_ids: list[int]) -> str | None:
    """The storefront's configurator page opened on these options: the quote to review or change."""
    return _page("storefront:configurator", category_slug, query="?options=" + ",".join(map(str, option_ids)))
