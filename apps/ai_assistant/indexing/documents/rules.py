"""Rule documents: `incompatibility:{pk}` (two options that cannot be combined) and `price_rule:{pk}` (an
option's price when combined with others). A rule naming an option nobody can choose is not a document.
"""

from __future__ import annotations

from django.db.models import Prefetch

from apps.ai_assistant.indexing.documents.base import Document, DocumentType, id_list, make, money, sentence, usable
from apps.catalog.models import IncompatibilityRule, PartOption, PriceAdjustmentRule


def build_incompatibilities(pks: list[int]) -> dict[int, Document]:
    rules = IncompatibilityRule.objects.filter(pk__in=pks).select_related(
        "part_option__part__category", "incompatible_with_option__part__category"
    )
    docs = {}
    for rule in rules:
        a, b = rule.part_option, rule.incompatible_with_option
        if not (usable(a) and usable(b)):
            continue  # a rule about options nobody can choose tells a customer nothing
        category = a.part.category
        text = (
            f"Incompatible options in {category.name}: {a.name} ({a.part.name}) cannot be combined with "
            f"{b.name} ({b.part.name}); {b.name} ({b.part.name}) cannot be combined with {a.name}. "
            f"{sentence(rule.message)}"
        )
        docs[rule.pk] = make(
            "incompatibility",
            rule.pk,
            text,
            {
                "name": f"{a.name} + {b.name}",
                "category_id": category.pk,
                "category": category.name,
                "option_ids": id_list([a.pk, b.pk]),
            },
        )
    return docs


def build_price_rules(pks: list[int]) -> dict[int, Document]:
    rules = (
        PriceAdjustmentRule.objects.filter(pk__in=pks)
        .select_related("affected_option__part__category")
        .prefetch_related(
            Prefetch("condition_options", queryset=PartOption.objects.select_related("part__category").order_by("id"))
        )
    )
    docs = {}
    for rule in rules:
        affected = rule.affected_option
        conditions = list(rule.condition_options.all())
        # A rule without conditions never applies (configurator); one naming an inactive option cannot either.
        if not conditions or not all(usable(option) for option in [affected, *conditions]):
            continue
        category = affected.part.category
        when = " and ".join(f"{option.name} ({option.part.name})" for option in conditions)
        # The prices are facts: a change of the option's price updates the metadata, not the vector.
        text = (
            f"Price rule in {category.name}: {affected.name} ({affected.part.name}) has a price of its own when "
            f"combined with {when}. {sentence(rule.description)}"
        )
        facts = (
            f"{affected.name} ({affected.part.name}) costs {money(rule.adjusted_price)} instead of "
            f"{money(affected.default_price)} when combined with {when}."
        )
        docs[rule.pk] = make(
            "price_rule",
            rule.pk,
            text,
            {
                "name": f"{affected.name} with {' and '.join(option.name for option in conditions)}",
                "category_id": category.pk,
                "category": category.name,
                "option_ids": id_list([affected.pk, *(option.pk for option in conditions)]),
            },
            facts=facts,
        )
    return docs


def indexable_incompatibilities() -> list[int]:
    return list(
        IncompatibilityRule.objects.filter(
            part_option__is_active=True,
            incompatible_with_option__is_active=True,
            part_option__part__category__is_active=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def indexable_price_rules() -> list[int]:
    return list(
        PriceAdjustmentRule.objects.filter(
            affected_option__is_active=True, affected_option__part__category__is_active=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def incompatibilities_naming(option_ids: list[int]) -> set[int]:
    """Incompatibility rules naming any of these options, on either side."""
    rules = IncompatibilityRule.objects
    return set(rules.filter(part_option_id__in=option_ids).values_list("pk", flat=True)) | set(
        rules.filter(incompatible_with_option_id__in=option_ids).values_list("pk", flat=True)
    )


def price_rules_naming(option_ids: list[int]) -> set[int]:
    """Price rules whose affected option or one of whose conditions is any of these options."""
    through = PriceAdjustmentRule.condition_options.through
    return set(
        PriceAdjustmentRule.objects.filter(affected_option_id__in=option_ids).values_list("pk", flat=True)
    ) | set(through.objects.filter(partoption_id__in=option_ids).values_list("priceadjustmentrule_id", flat=True))


INCOMPATIBILITIES = DocumentType(
    name="incompatibility",
    build=build_incompatibilities,
    indexable=indexable_incompatibilities,
    touched_by={IncompatibilityRule: lambda rule: [rule.pk]},
    showing_options=incompatibilities_naming,
)
PRICE_RULES = DocumentType(
    name="price_rule",
    build=build_price_rules,
    indexable=indexable_price_rules,
    touched_by={PriceAdjustmentRule: lambda rule: [rule.pk]},
    showing_options=price_rules_naming,
)
