"""Table-driven bad input on every write endpoint and on the quote: 400 naming the field, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from apps.preconfigured_products.services import create_product
from tests.fixtures.api import BicycleCatalog

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000
CLASSIC = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]


@dataclass
class Ctx:
    cat: BicycleCatalog
    skis: Category
    ski_option: PartOption
    product: PreConfiguredProduct

    def o(self, name: str) -> int:
        return self.cat.option(name).pk

    def p(self, name: str) -> int:
        return self.cat.part(name).pk


@pytest.fixture
def ctx(bicycle_catalog) -> Ctx:
    skis = Category.objects.create(name="Skis", slug="skis")
    ski_option = PartOption.objects.create(
        part=Part.objects.create(category=skis, name="Length", step=1), name="170 cm", default_price=Decimal("300")
    )
    product = create_product(category=bicycle_catalog.category, name="Classic", options=bicycle_catalog.ids(*CLASSIC))
    return Ctx(bicycle_catalog, skis, ski_option, product)


Body = Callable[[Ctx], dict]


@dataclass
class Case:
    label: str
    body: Body  # the bad fields, merged into a valid body for POST/PUT, sent alone for PATCH
    field: str  # the field the 400 must name
    methods: tuple[str, ...] = ("post", "put", "patch")


@dataclass
class Resource:
    url: str
    models: tuple[type, ...]  # tables whose row counts must not change
    valid: Body
    target: Callable[[Ctx], object]  # the object PUT/PATCH write to
    cases: list[Case] = field(default_factory=list)


NAME_CASES = [
    Case("name 10,000 chars", lambda c: {"name": LONG}, "name"),
    Case("name wrong type", lambda c: {"name": ["a", "list"]}, "name"),
    Case("name null", lambda c: {"name": None}, "name"),
    Case("name blank", lambda c: {"name": ""}, "name"),
    Case("name with NUL", lambda c: {"name": "a\x00b"}, "name"),
]


def money_cases(name: str) -> list[Case]:
    return [
        Case(f"{name} negative", lambda c: {name: "-1.00"}, name),
        Case(f"{name} three decimals", lambda c: {name: "12.345"}, name),
        Case(f"{name} not a number", lambda c: {name: "twelve"}, name),
        Case(f"{name} NaN", lambda c: {name: "NaN"}, name),
        Case(f"{name} too big", lambda c: {name: "123456789012.00"}, name),
        Case(f"{name} wrong type", lambda c: {name: {"amount": 1}}, name),
    ]


RESOURCES = {
    "categories": Resource(
        "/api/categories/",
        (Category,),
        lambda c: {"name": "Surfboards", "description": "Boards", "is_active": True},
        lambda c: c.skis,
        [
            *NAME_CASES,
            Case("name taken", lambda c: {"name": "Bicycles"}, "name"),
            Case("name taken, other case", lambda c: {"name": "BICYCLES"}, "name"),
            Case("slug invalid", lambda c: {"slug": "not a slug!"}, "slug"),
            Case("slug taken", lambda c: {"slug": "bicycles"}, "slug"),
            Case("is_active not a boolean", lambda c: {"is_active": "maybe"}, "is_active"),
        ],
    ),
    "parts": Resource(
        "/api/parts/",
        (Part,),
        lambda c: {"category": c.cat.category.pk, "name": "Bell", "step": 6, "required": False},
        lambda c: c.cat.part("Chain"),
        [
            *NAME_CASES,
            Case("name taken in category", lambda c: {"name": "Wheels"}, "name"),
            Case("category unknown", lambda c: {"category": 999_999}, "category", ("post",)),
            Case("category wrong type", lambda c: {"category": "bicycles"}, "category", ("post",)),
            Case("category huge", lambda c: {"category": 2**70}, "category", ("post",)),
            Case("category moved", lambda c: {"category": c.skis.pk}, "category", ("put", "patch")),
            Case("step negative", lambda c: {"step": -1}, "step"),
            Case("step not a number", lambda c: {"step": "first"}, "step"),
            Case("required not a boolean", lambda c: {"required": [1]}, "required"),
        ],
    ),
    "part-options": Resource(
        "/api/part-options/",
        (PartOption,),
        lambda c: {"part": c.p("Wheels"), "name": "gravel wheels", "default_price": "95.00", "in_stock": True},
        lambda c: c.cat.option("fat bike wheels"),
        [
            *NAME_CASES,
            Case("name taken in part", lambda c: {"name": "road wheels"}, "name"),
            *money_cases("default_price"),
            Case("part unknown", lambda c: {"part": 999_999}, "part", ("post",)),
            Case("part wrong type", lambda c: {"part": [1]}, "part", ("post",)),
            Case("part moved", lambda c: {"part": c.p("Chain")}, "part", ("put", "patch")),
            Case("in_stock not a boolean", lambda c: {"in_stock": "soon"}, "in_stock"),
        ],
    ),
    "incompatibility-rules": Resource(
        "/api/incompatibility-rules/",
        (IncompatibilityRule,),
        lambda c: {
            "part_option": c.o("road wheels"),
            "incompatible_with_option": c.o("step-through"),
            "message": "No.",
        },
        lambda c: c.cat.incompatibilities[2],
        [
            Case(
                "option of another category",
                lambda c: {"part_option": c.o("road wheels"), "incompatible_with_option": c.ski_option.pk},
                "incompatible_with_option",
            ),
            Case(
                "two options of one part",
                lambda c: {"part_option": c.o("road wheels"), "incompatible_with_option": c.o("fat bike wheels")},
                "incompatible_with_option",
            ),
            Case(
                "option with itself",
                lambda c: {"part_option": c.o("red"), "incompatible_with_option": c.o("red")},
                "incompatible_with_option",
            ),
            Case(
                "same pair, other direction",
                lambda c: {"part_option": c.o("diamond"), "incompatible_with_option": c.o("mountain wheels")},
                "incompatible_with_option",
            ),
            Case(
                "same pair, same direction",
                lambda c: {"part_option": c.o("mountain wheels"), "incompatible_with_option": c.o("diamond")},
                "incompatible_with_option",
            ),
            Case("part_option unknown", lambda c: {"part_option": 999_999}, "part_option"),
            Case(
                "incompatible_with_option wrong type",
                lambda c: {"incompatible_with_option": "red"},
                "incompatible_with_option",
            ),
            Case("message 10,000 chars", lambda c: {"message": LONG}, "message"),
        ],
    ),
    "price-adjustment-rules": Resource(
        "/api/price-adjustment-rules/",
        (PriceAdjustmentRule, PriceAdjustmentRule.condition_options.through),
        lambda c: {
            "affected_option": c.o("shiny"),
            "condition_options": [c.o("step-through")],
            "adjusted_price": "25.00",
            "description": "Shiny step-through",
        },
        lambda c: c.cat.price_rules["diamond"],
        [
            *money_cases("adjusted_price"),
            Case("no condition", lambda c: {"condition_options": []}, "condition_options"),
            Case("conditions not a list", lambda c: {"condition_options": "diamond"}, "condition_options"),
            Case("condition unknown", lambda c: {"condition_options": [999_999]}, "condition_options"),
            Case(
                "condition of another category", lambda c: {"condition_options": [c.ski_option.pk]}, "condition_options"
            ),
            Case(
                "condition is the affected option",
                lambda c: {"affected_option": c.o("shiny"), "condition_options": [c.o("shiny")]},
                "condition_options",
            ),
            Case(
                "condition on the affected option's part",
                lambda c: {"affected_option": c.o("shiny"), "condition_options": [c.o("matte")]},
                "condition_options",
            ),
            Case(
                "two conditions on one part",
                lambda c: {"condition_options": [c.o("diamond"), c.o("step-through")]},
                "condition_options",
            ),
            Case(
                "condition twice",
                lambda c: {"condition_options": [c.o("step-through"), c.o("step-through")]},
                "condition_options",
            ),
            Case(
                "same conditions as an existing rule",
                lambda c: {"affected_option": c.o("matte"), "condition_options": [c.o("full-suspension")]},
                "condition_options",
            ),
            Case("affected option unknown", lambda c: {"affected_option": 999_999}, "affected_option"),
            Case("description 10,000 chars", lambda c: {"description": LONG}, "description"),
        ],
    ),
    "products": Resource(
        "/api/products/",
        (PreConfiguredProduct, PreConfiguredProductOption),
        lambda c: {
            "category": c.cat.category.pk,
            "name": "Trail",
            "options": c.cat.ids("full-suspension", "matte", "mountain wheels", "black", "8-speed chain"),
        },
        lambda c: c.product,
        [
            *NAME_CASES,
            Case("category unknown", lambda c: {"category": 999_999}, "category"),
            Case("category wrong type", lambda c: {"category": {"id": 1}}, "category"),
            Case("options not a list", lambda c: {"options": "all"}, "options"),
            Case("option wrong type", lambda c: {"options": ["red"]}, "options"),
            Case("option unknown", lambda c: {"options": [*c.cat.ids(*CLASSIC[:4]), 999_999]}, "options"),
            Case(
                "option of another category", lambda c: {"options": [*c.cat.ids(*CLASSIC), c.ski_option.pk]}, "options"
            ),
            Case("two options of one part", lambda c: {"options": c.cat.ids(*CLASSIC, "black")}, "options"),
            Case("option twice", lambda c: {"options": c.cat.ids(*CLASSIC, "red")}, "options"),
            Case("a part missing", lambda c: {"options": c.cat.ids(*CLASSIC[:4])}, "options"),
            Case("no options", lambda c: {"options": []}, "options"),
            Case(
                "incompatible options",
                lambda c: {"options": c.cat.ids("diamond", "shiny", "mountain wheels", "black", "8-speed chain")},
                "options",
            ),
            Case("slug invalid", lambda c: {"slug": "a slug with spaces"}, "slug"),
            Case("slug 10,000 chars", lambda c: {"slug": LONG}, "slug"),
        ],
    ),
}


def _params():
    for key, resource in RESOURCES.items():
        for case in resource.cases:
            for method in case.methods:
                yield pytest.param(key, case, method, id=f"{method.upper()} {key}: {case.label}")


def _snapshot(resource: Resource) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in resource.models}


@pytest.mark.parametrize(("key", "case", "method"), list(_params()))
def test_bad_input_is_400_naming_the_field_and_writes_nothing(staff_client, ctx, key, case, method):
    resource = RESOURCES[key]
    bad = case.body(ctx)
    before = _snapshot(resource)
    if method == "post":
        response = staff_client.post(resource.url, {**resource.valid(ctx), **bad}, format="json")
        item_before = None
    else:
        url = f"{resource.url}{resource.target(ctx).pk}/"
        item_before = staff_client.get(url).json()
        body = {**resource.valid(ctx), **bad} if method == "put" else bad
        response = getattr(staff_client, method)(url, body, format="json")
    assert response.status_code == 400, response.content[:500]
    assert case.field in response.json(), response.json()
    assert _snapshot(resource) == before
    if item_before is not None:
        assert staff_client.get(url).json() == item_before


@pytest.mark.parametrize("method", ["post", "put"])
@pytest.mark.parametrize("key", list(RESOURCES))
def test_the_valid_bodies_of_the_table_are_accepted(staff_client, ctx, key, method):
    """Guards the table: each bad case fails because of its bad field, not because the base body is wrong."""
    resource = RESOURCES[key]
    if method == "post":
        response = staff_client.post(resource.url, resource.valid(ctx), format="json")
        assert response.status_code == 201, response.content
    else:
        response = staff_client.put(f"{resource.url}{resource.target(ctx).pk}/", resource.valid(ctx), format="json")
        assert response.status_code == 200, response.content


@pytest.mark.parametrize("key", list(RESOURCES))
@pytest.mark.parametrize("body", [{}, [], "text", None], ids=["empty object", "list", "string", "null"])
def test_empty_and_non_object_bodies(staff_client, ctx, key, body):
    resource = RESOURCES[key]
    before = _snapshot(resource)
    target = f"{resource.url}{resource.target(ctx).pk}/"
    for method, url in (("post", resource.url), ("put", target)):
        response = getattr(staff_client, method)(url, body, format="json")
        assert response.status_code == 400, (method, response.content)
        assert response.json(), response.content
    assert _snapshot(resource) == before


@pytest.mark.parametrize("key", list(RESOURCES))
def test_malformed_json_is_400(staff_client, ctx, key):
    response = staff_client.generic("POST", RESOURCES[key].url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


QUOTE_CASES = [
    ("empty body", lambda c: {}, "category"),
    ("category missing", lambda c: {"options": c.cat.ids("red")}, "category"),
    ("category wrong type", lambda c: {"category": "bicycles", "options": []}, "category"),
    ("category null", lambda c: {"category": None, "options": []}, "category"),
    ("category unknown", lambda c: {"category": 999_999, "options": []}, "category"),
    ("category huge", lambda c: {"category": 2**70, "options": []}, "category"),
    ("options missing", lambda c: {"category": c.cat.category.pk}, "options"),
    ("options not a list", lambda c: {"category": c.cat.category.pk, "options": 5}, "options"),
    ("option wrong type", lambda c: {"category": c.cat.category.pk, "options": ["red"]}, "options"),
    ("option boolean", lambda c: {"category": c.cat.category.pk, "options": [True]}, "options"),
    ("option fraction", lambda c: {"category": c.cat.category.pk, "options": [1.5]}, "options"),
    ("option huge", lambda c: {"category": c.cat.category.pk, "options": [2**70]}, "options"),
    ("51 options", lambda c: {"category": c.cat.category.pk, "options": list(range(1, 52))}, "options"),
    ("option unknown", lambda c: {"category": c.cat.category.pk, "options": [999_999]}, "options"),
    ("option of another category", lambda c: {"category": c.cat.category.pk, "options": [c.ski_option.pk]}, "options"),
    (
        "two options of one part",
        lambda c: {"category": c.cat.category.pk, "options": c.cat.ids("red", "blue")},
        "options",
    ),
    ("option twice", lambda c: {"category": c.cat.category.pk, "options": c.cat.ids("red", "red")}, "options"),
]


@pytest.mark.parametrize(("label", "body", "field"), QUOTE_CASES, ids=[c[0] for c in QUOTE_CASES])
def test_quote_bad_input(api_client, ctx, label, body, field):
    response = api_client.post("/api/configurator/quote", body(ctx), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_quote_structural_error_says_why(api_client, ctx):
    response = api_client.post(
        "/api/configurator/quote",
        {"category": ctx.cat.category.pk, "options": ctx.cat.ids("red", "blue")},
        format="json",
    )
    assert response.json() == {"options": ['Choose only one option for "Rim color": "red" and "blue" were given.']}


@pytest.mark.parametrize(
    "query",
    [
        "/api/parts/?category=abc",
        "/api/parts/?category=999999",
        "/api/part-options/?part=abc",
        "/api/part-options/?min_price=cheap",
        "/api/products/?category=abc",
        "/api/incompatibility-rules/?option=abc",
        "/api/price-adjustment-rules/?category=abc",
        "/api/products/?search=a%00b",
        "/api/categories/?is_active=perhaps",
        "/api/parts/?category=",
        "/api/products/?is_active=",
    ],
)
def test_bad_filters_are_400(api_client, ctx, query):
    response = api_client.get(query)
    assert response.status_code == 400, response.content
    name = query.split("?")[1].split("=")[0]
    assert name in response.json()


@pytest.mark.parametrize(
    "query", ["/api/part-options/?min_price=1e400", "/api/part-options/?max_price=99999999999999999999"]
)
def test_extreme_price_filters_never_500(api_client, ctx, query):
    assert api_client.get(query).status_code in (200, 400)


@pytest.mark.parametrize("query", ["?page=", "?page=0", "?page=abc", "?page=1&page=2", "?page=99"])
def test_bad_pages_are_json_404(api_client, ctx, query):
    response = api_client.get(f"/api/part-options/{query}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize("pk", ["0.5", "abc", "-1", "99999999999999999999999"])
def test_odd_ids_are_json_404(staff_client, ctx, pk):
    for method in ("get", "patch", "delete"):
        response = getattr(staff_client, method)(f"/api/categories/{pk}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
