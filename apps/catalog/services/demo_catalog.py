"""The demo catalog: Marcus's bicycles exactly as in the exercise, plus skis, surfboards and roller skates.

`DEMO_CATALOG` is plain data; `load_demo_catalog()` checks it (one option per part in every product, no
incompatible pair, every name resolvable) and writes it by natural keys, so running it again changes
nothing. A row is saved only when one of its values differs: an unchanged catalog causes no writes, so it
does not wake the indexing pipeline either.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.services import create_product, update_product


class DemoCatalogError(ValueError):
    """The demo data contradicts itself (unknown name, invalid product configuration, ...)."""


def _option(name: str, price: str, description: str, in_stock: bool = True) -> dict[str, Any]:
    return {"name": name, "price": Decimal(price), "description": description, "in_stock": in_stock}


# Option names are unique within a category, so rules and products refer to options by name alone.
DEMO_CATALOG: list[dict[str, Any]] = [
    {
        "name": "Bicycles",
        "slug": "bicycles",
        "description": (
            "Marcus's custom bicycles, built to order from a frame, a finish, wheels, rim colour and chain. "
            "Mountain bikes, road bikes, city bikes and fat bikes."
        ),
        "parts": [
            {
                "name": "Frame type",
                "step": 1,
                "description": "The frame decides what the bike is for: trails, roads or relaxed city riding.",
                "options": [
                    _option(
                        "Full-suspension",
                        "130.00",
                        "Front and rear suspension that soaks up roots, rocks and drops. The frame for mountain "
                        "biking and rough trails, and the only frame that takes mountain wheels.",
                    ),
                    _option(
                        "Diamond",
                        "100.00",
                        "The classic rigid double-triangle frame: light, stiff and efficient. Ideal for road "
                        "bikes, fixies and everyday riding on tarmac.",
                    ),
                    _option(
                        "Step-through",
                        "110.00",
                        "A low top tube you can step through instead of swinging a leg over. Comfortable for "
                        "commuting, city riding and riders who hop on and off often.",
                    ),
                ],
            },
            {
                "name": "Frame finish",
                "step": 2,
                "description": "The paint finish of the frame.",
                "options": [
                    _option(
                        "Matte",
                        "40.00",
                        "A flat, non-reflective finish that hides scratches and looks understated. Costs more on "
                        "larger frames: 50 EUR on a full-suspension frame, 35 EUR on a diamond frame.",
                    ),
                    _option(
                        "Shiny",
                        "30.00",
                        "A glossy lacquered finish that makes the colour pop and wipes clean easily.",
                    ),
                ],
            },
            {
                "name": "Wheels",
                "step": 3,
                "description": "Wheels and tyres for the terrain you ride.",
                "options": [
                    _option(
                        "Road wheels",
                        "80.00",
                        "Light, narrow wheels with slick tyres for speed on asphalt. Good for road cycling, "
                        "commuting and long rides on paved roads.",
                    ),
                    _option(
                        "Mountain wheels",
                        "90.00",
                        "Sturdy wheels with knobby tyres for grip on dirt, gravel and trails. Only available "
                        "with a full-suspension frame.",
                    ),
                    _option(
                        "Fat bike wheels",
                        "100.00",
                        "Extra-wide tyres (about 4 inches) that float over snow, sand and mud. Not available "
                        "with red rims.",
                    ),
                ],
            },
            {
                "name": "Rim color",
                "step": 4,
                "description": "The colour of the rims.",
                "options": [
                    _option("Red", "20.00", "Bright red rims that stand out. Not available with fat bike wheels."),
                    _option("Black", "15.00", "Classic black rims that go with every frame and finish."),
                    _option("Blue", "20.00", "Deep blue rims for a cool, sporty look."),
                ],
            },
            {
                "name": "Chain",
                "step": 5,
                "description": "Single-speed for simplicity, or 8 gears for hills.",
                "options": [
                    _option(
                        "Single-speed chain",
                        "43.00",
                        "A single gear: simple, quiet, almost maintenance-free. Best on flat city streets.",
                    ),
                    _option(
                        "8-speed chain",
                        "60.00",
                        "Eight gears to climb hills and cruise fast on the flat. The versatile choice for "
                        "mixed terrain and longer rides.",
                    ),
                ],
            },
        ],
        "incompatibilities": [
            ("Mountain wheels", "Diamond", "Mountain wheels are only available with a full-suspension frame."),
            ("Mountain wheels", "Step-through", "Mountain wheels are only available with a full-suspension frame."),
            ("Fat bike wheels", "Red", "Fat bike wheels are not available with red rims."),
        ],
        "price_rules": [
            {
                "option": "Matte",
                "when": ["Full-suspension"],
                "price": Decimal("50.00"),
                "description": "Matte finish on a full-suspension frame (more surface to finish).",
            },
            {
                "option": "Matte",
                "when": ["Diamond"],
                "price": Decimal("35.00"),
                "description": "Matte finish on a diamond frame.",
            },
        ],
        "products": [
            {
                "name": "Fat Tire Explorer",
                "options": ["Diamond", "Matte", "Fat bike wheels", "Black", "8-speed chain"],
                "description": (
                    "A go-anywhere fat bike for snow, sand and muddy forest paths. The wide tyres float where "
                    "normal wheels sink, and eight gears keep you moving on the climbs. Black rims on a matte "
                    "diamond frame."
                ),
            },
            {
                "name": "Trail Blazer FS",
                "options": ["Full-suspension", "Matte", "Mountain wheels", "Black", "8-speed chain"],
                "description": (
                    "Our all-round mountain bike: full suspension and knobby mountain wheels for roots, rocks "
                    "and fast descents. Eight gears get you back up the hill."
                ),
            },
            {
                "name": "Ridge Runner",
                "options": ["Full-suspension", "Shiny", "Mountain wheels", "Red", "8-speed chain"],
                "description": (
                    "A full-suspension mountain bike that wants to be seen: glossy paint and red rims. Built "
                    "for technical singletrack and long days in the hills."
                ),
            },
            {
                "name": "Summit Single",
                "options": ["Full-suspension", "Matte", "Mountain wheels", "Blue", "Single-speed chain"],
                "description": (
                    "A single-speed mountain bike for riders who like it simple. Full suspension for the "
                    "trail, one gear and almost nothing to maintain."
                ),
            },
            {
                "name": "Enduro Pro",
                "options": ["Full-suspension", "Shiny", "Mountain wheels", "Black", "8-speed chain"],
                "description": (
                    "Made for enduro races and steep, rough descents. Full suspension, grippy mountain wheels "
                    "and eight gears in a glossy black-rimmed package."
                ),
            },
            {
                "name": "Velocity Road",
                "options": ["Diamond", "Shiny", "Road wheels", "Red", "8-speed chain"],
                "description": (
                    "A fast road bike on a light diamond frame with slick road wheels. Eight gears for rolling "
                    "hills and red rims for a racing look."
                ),
            },
            {
                "name": "Fixie Classic",
                "options": ["Diamond", "Matte", "Road wheels", "Black", "Single-speed chain"],
                "description": (
                    "A minimalist single-speed city bike in matte with black rims. Light, quiet and nearly "
                    "maintenance-free for daily rides across town."
                ),
            },
            {
                "name": "Weekend Tourer",
                "options": ["Diamond", "Matte", "Road wheels", "Blue", "8-speed chain"],
                "description": (
                    "A dependable road bike for weekend tours and long rides on country roads. Eight gears, "
                    "road wheels and a matte diamond frame with blue rims."
                ),
            },
            {
                "name": "City Glide",
                "options": ["Step-through", "Shiny", "Road wheels", "Blue", "8-speed chain"],
                "description": (
                    "An easy-going commuter with a step-through frame that is simple to get on and off. Road "
                    "wheels roll smoothly on city streets and eight gears handle bridges and hills."
                ),
            },
            {
                "name": "Urban Step",
                "options": ["Step-through", "Matte", "Road wheels", "Red", "Single-speed chain"],
                "description": (
                    "A relaxed single-speed city bike with a step-through frame. Perfect for short trips to "
                    "work, the market or the café."
                ),
            },
            {
                "name": "Snow Cruiser",
                "options": ["Full-suspension", "Matte", "Fat bike wheels", "Blue", "8-speed chain"],
                "description": (
                    "A full-suspension fat bike for winter trails and beach rides. Wide tyres and suspension "
                    "make the bumpiest snow feel smooth."
                ),
            },
            {
                "name": "Dune Drifter",
                "options": ["Step-through", "Shiny", "Fat bike wheels", "Black", "Single-speed chain"],
                "description": (
                    "A laid-back fat bike for the boardwalk and the beach. The step-through frame and a single "
                    "gear keep it easy; the fat tyres keep it from sinking in sand."
                ),
            },
        ],
    },
    {
        "name": "Skis",
        "slug": "skis",
        "description": "Custom skis: pick the ski type, the length, the binding and the topsheet.",
        "parts": [
            {
                "name": "Ski type",
                "step": 1,
                "description": "The shape of the ski, which decides where it is happiest.",
                "options": [
                    _option(
                        "All-mountain ski",
                        "320.00",
                        "A versatile ski for groomed pistes and some powder: the one-ski quiver for most skiers.",
                    ),
                    _option(
                        "Freeride ski",
                        "380.00",
                        "A wide ski with rocker that floats in deep powder and off-piste snow.",
                    ),
                    _option(
                        "Carving ski",
                        "300.00",
                        "A narrow, sharply side-cut ski that locks into clean turns on hard-packed pistes.",
                    ),
                    _option(
                        "Touring ski",
                        "360.00",
                        "A light ski for skinning uphill and skiing down in the backcountry.",
                    ),
                ],
            },
            {
                "name": "Length",
                "step": 2,
                "description": "Choose by height and style: shorter turns quicker, longer is more stable.",
                "options": [
                    _option("Short (150-160 cm)", "0.00", "Quick and easy to turn; for lighter or newer skiers."),
                    _option("Medium (165-175 cm)", "20.00", "The balanced length for most adult skiers."),
                    _option("Long (180-190 cm)", "40.00", "Stable at speed and in deep snow; for tall skiers."),
                ],
            },
            {
                "name": "Binding",
                "step": 3,
                "description": "The binding holds the boot and releases it in a fall.",
                "options": [
                    _option("Alpine binding", "180.00", "A reliable downhill binding for resort skiing."),
                    _option(
                        "Touring binding",
                        "260.00",
                        "A binding that frees the heel for climbing and locks it for the descent.",
                    ),
                    _option(
                        "Race binding",
                        "240.00",
                        "A stiff, high-release-value binding for racers and very fast carving.",
                    ),
                ],
            },
            {
                "name": "Topsheet",
                "step": 4,
                "description": "The top layer and graphic of the ski.",
                "options": [
                    _option("Graphite matte", "25.00", "Dark grey matte topsheet that resists scratches."),
                    _option("Glacier white", "20.00", "Clean white topsheet with ice-blue accents."),
                    _option(
                        "Sunset orange",
                        "20.00",
                        "Bright orange topsheet, easy to spot in the snow. Temporarily out of stock.",
                        in_stock=False,
                    ),
                ],
            },
        ],
        "incompatibilities": [
            ("Touring binding", "Carving ski", "Touring bindings are made for touring and freeride skis, not carvers."),
            ("Race binding", "Touring ski", "Race bindings are too heavy for touring skis."),
        ],
        "price_rules": [
            {
                "option": "Touring binding",
                "when": ["Touring ski"],
                "price": Decimal("220.00"),
                "description": "Touring binding bought with a touring ski.",
            },
            {
                "option": "Touring binding",
                "when": ["Touring ski", "Long (180-190 cm)", "Graphite matte"],
                "price": Decimal("199.00"),
                "description": "Backcountry pack: long graphite touring ski with a touring binding.",
            },
        ],
        "products": [
            {
                "name": "Piste Carver",
                "options": ["Carving ski", "Medium (165-175 cm)", "Race binding", "Glacier white"],
                "description": (
                    "A sharp carving ski for clean, fast turns on groomed pistes. The race binding gives "
                    "direct power transfer for confident skiers."
                ),
            },
            {
                "name": "Powder Hound",
                "options": ["Freeride ski", "Long (180-190 cm)", "Alpine binding", "Graphite matte"],
                "description": (
                    "A wide freeride ski that floats through deep powder days. Long and stable for big "
                    "off-piste lines."
                ),
            },
            {
                "name": "Backcountry Explorer",
                "options": ["Touring ski", "Long (180-190 cm)", "Touring binding", "Graphite matte"],
                "description": (
                    "A complete ski touring setup: skin up in the morning, ski down untracked snow in the "
                    "afternoon. Light touring ski with a walk-mode binding."
                ),
            },
            {
                "name": "Resort All-Rounder",
                "options": ["All-mountain ski", "Medium (165-175 cm)", "Alpine binding", "Glacier white"],
                "description": (
                    "One ski for the whole resort: groomers in the morning, soft snow by the trees in the "
                    "afternoon. Forgiving and easy to love."
                ),
            },
            {
                "name": "First Tracks Junior",
                "options": ["All-mountain ski", "Short (150-160 cm)", "Alpine binding", "Graphite matte"],
                "description": (
                    "A short, easy-turning all-mountain ski for lighter and newer skiers. Builds confidence "
                    "on every slope."
                ),
            },
            {
                "name": "Sunset Freerider",
                "options": ["Freeride ski", "Medium (165-175 cm)", "Touring binding", "Sunset orange"],
                "description": (
                    "A playful freeride ski in bright orange that can also tour to quiet powder stashes. "
                    "Waiting for its topsheet to come back in stock."
                ),
            },
        ],
    },
    {
        "name": "Surfboards",
        "slug": "surfboards",
        "description": "Custom surfboards: shape, construction, fins and leash.",
        "parts": [
            {
                "name": "Board shape",
                "step": 1,
                "description": "The outline and volume of the board.",
                "options": [
                    _option(
                        "Shortboard",
                        "420.00",
                        "A short, narrow, high-performance board for quick turns in good waves.",
                    ),
                    _option(
                        "Longboard",
                        "560.00",
                        "A 9 ft board that paddles easily and glides on small waves; great for learning and "
                        "nose riding.",
                    ),
                    _option(
                        "Fish",
                        "450.00",
                        "A short, wide board with a swallow tail that stays fast in small, mushy surf.",
                    ),
                    _option(
                        "Funboard",
                        "480.00",
                        "A mid-length board between a longboard and a shortboard: stable, easy to paddle, fun.",
                    ),
                ],
            },
            {
                "name": "Construction",
                "step": 2,
                "description": "What the board is made of.",
                "options": [
                    _option("PU/polyester", "0.00", "The traditional construction with a classic, lively flex."),
                    _option("Epoxy", "90.00", "Lighter, more buoyant and more ding-resistant than polyester."),
                    _option(
                        "Carbon-reinforced epoxy",
                        "180.00",
                        "Epoxy with carbon strips for extra stiffness and strength. Temporarily out of stock.",
                        in_stock=False,
                    ),
                ],
            },
            {
                "name": "Fin setup",
                "step": 3,
                "description": "Fins change how the board turns and holds in the wave.",
                "options": [
                    _option("Thruster", "60.00", "Three fins: the versatile setup for control and drive."),
                    _option("Quad", "75.00", "Four fins for speed down the line and hold in hollow waves."),
                    _option("Single fin", "45.00", "One large fin for smooth, drawn-out turns on longer boards."),
                ],
            },
            {
                "name": "Leash",
                "step": 4,
                "description": "Keeps the board attached to you; it should be about as long as the board.",
                "options": [
                    _option("6 ft leash", "30.00", "A light leash for shortboards and fish."),
                    _option("9 ft leash", "38.00", "A longer leash for longboards and funboards."),
                ],
            },
        ],
        "incompatibilities": [
            ("Single fin", "Shortboard", "Single fins are made for longer boards, not shortboards."),
            ("6 ft leash", "Longboard", "A longboard needs the 9 ft leash."),
        ],
        "price_rules": [
            {
                "option": "Quad",
                "when": ["Fish"],
                "price": Decimal("60.00"),
                "description": "Quad fins come cheaper on a fish, their classic pairing.",
            },
        ],
        "products": [
            {
                "name": "Wave Ripper",
                "options": ["Shortboard", "PU/polyester", "Thruster", "6 ft leash"],
                "description": (
                    "A classic high-performance shortboard for good, powerful waves. Quick off the bottom and "
                    "sharp in the pocket."
                ),
            },
            {
                "name": "Noserider Classic",
                "options": ["Longboard", "PU/polyester", "Single fin", "9 ft leash"],
                "description": (
                    "A traditional single-fin longboard for cross-stepping and hanging ten on small, clean "
                    "days. Glides through flat sections with ease."
                ),
            },
            {
                "name": "Summer Fish",
                "options": ["Fish", "Epoxy", "Quad", "6 ft leash"],
                "description": (
                    "A light epoxy fish with quad fins that makes small summer waves fun. Wide and fast, with "
                    "plenty of float for paddling."
                ),
            },
            {
                "name": "Beginner Funboard",
                "options": ["Funboard", "Epoxy", "Thruster", "9 ft leash"],
                "description": (
                    "A stable, forgiving mid-length board for your first green waves. Durable epoxy survives "
                    "the learning curve."
                ),
            },
            {
                "name": "Point Break Quad",
                "options": ["Shortboard", "Epoxy", "Quad", "6 ft leash"],
                "description": (
                    "An epoxy shortboard with a quad setup for speed down the line at long point breaks. "
                    "Light and lively, it holds a high line through hollow sections."
                ),
            },
            {
                "name": "Carbon Longboard",
                "options": ["Longboard", "Carbon-reinforced epoxy", "Thruster", "9 ft leash"],
                "description": (
                    "A stiff, light carbon-reinforced longboard with a 2+1 feel for bigger days. Its "
                    "construction is temporarily out of stock."
                ),
            },
        ],
    },
    {
        "name": "Roller skates",
        "slug": "roller-skates",
        "description": "Custom roller skates and inline skates: boot, wheels, bearings and brake.",
        "parts": [
            {
                "name": "Boot",
                "step": 1,
                "description": "Quad (two by two wheels) or inline (wheels in a row).",
                "options": [
                    _option(
                        "High-top quad boot",
                        "140.00",
                        "A classic quad roller skate boot with ankle support for rinks and dance.",
                    ),
                    _option(
                        "Low-top quad boot",
                        "120.00",
                        "A low-cut quad boot with free ankle movement for jam and park skating.",
                    ),
                    _option(
                        "Inline boot",
                        "150.00",
                        "A supportive inline skate boot for fitness skating and long distances.",
                    ),
                ],
            },
            {
                "name": "Skate wheels",
                "step": 2,
                "description": "Hard wheels are fast indoors; soft wheels grip and smooth rough ground.",
                "options": [
                    _option("Indoor wheels (95A)", "45.00", "Hard wheels that slide and spin on rink floors."),
                    _option(
                        "Outdoor wheels (78A)",
                        "50.00",
                        "Soft wheels that roll over cracks and pebbles. Temporarily out of stock.",
                        in_stock=False,
                    ),
                    _option("Speed wheels (110 mm)", "70.00", "Large inline wheels for speed and distance."),
                ],
            },
            {
                "name": "Bearings",
                "step": 3,
                "description": "Better bearings roll longer with less effort.",
                "options": [
                    _option("ABEC-5 bearings", "20.00", "Durable bearings for everyday skating."),
                    _option("ABEC-7 bearings", "30.00", "Smoother, faster bearings for keen skaters."),
                    _option("Ceramic bearings", "65.00", "Light, low-friction ceramic bearings for top speed."),
                ],
            },
            {
                "name": "Brake",
                "step": 4,
                "description": "How you stop.",
                "options": [
                    _option("Toe stop", "12.00", "A rubber stopper at the front of a quad skate."),
                    _option("Heel brake", "15.00", "A brake pad behind the heel of an inline skate."),
                ],
            },
        ],
        "incompatibilities": [
            ("Toe stop", "Inline boot", "Inline skates use a heel brake, not a toe stop."),
            ("Speed wheels (110 mm)", "High-top quad boot", "Speed wheels fit inline boots only."),
            ("Speed wheels (110 mm)", "Low-top quad boot", "Speed wheels fit inline boots only."),
        ],
        "price_rules": [
            {
                "option": "Ceramic bearings",
                "when": ["Speed wheels (110 mm)"],
                "price": Decimal("55.00"),
                "description": "Ceramic bearings bought with speed wheels.",
            },
        ],
        "products": [
            {
                "name": "Rink Classic",
                "options": ["High-top quad boot", "Indoor wheels (95A)", "ABEC-5 bearings", "Toe stop"],
                "description": (
                    "Classic high-top quad skates for the roller rink and roller disco. Ankle support and hard "
                    "indoor wheels for smooth spins."
                ),
            },
            {
                "name": "Jam Skater",
                "options": ["Low-top quad boot", "Indoor wheels (95A)", "ABEC-7 bearings", "Toe stop"],
                "description": (
                    "Low-cut quad skates for dance and jam skating. Free ankles for footwork and quick bearings "
                    "for spins."
                ),
            },
            {
                "name": "Speed Racer Inline",
                "options": ["Inline boot", "Speed wheels (110 mm)", "Ceramic bearings", "Heel brake"],
                "description": (
                    "Fast inline skates with big 110 mm wheels and ceramic bearings. Made for long-distance "
                    "fitness skating and speed."
                ),
            },
            {
                "name": "Fitness Inline",
                "options": ["Inline boot", "Speed wheels (110 mm)", "ABEC-7 bearings", "Heel brake"],
                "description": (
                    "Comfortable inline skates for workouts along the river path. Big wheels roll far on each "
                    "stride."
                ),
            },
            {
                "name": "Roller Derby Pro",
                "options": ["Low-top quad boot", "Indoor wheels (95A)", "Ceramic bearings", "Toe stop"],
                "description": (
                    "A responsive low-top quad for roller derby: agile, fast off the line and tough on the "
                    "track. Ceramic bearings keep your speed through every jam."
                ),
            },
            {
                "name": "Indoor Inline Trainer",
                "options": ["Inline boot", "Indoor wheels (95A)", "ABEC-5 bearings", "Heel brake"],
                "description": (
                    "An inline skate for indoor training on sports-hall floors. Hard wheels and a heel brake "
                    "for learning to stop safely."
                ),
            },
        ],
    },
]


def validate_demo_catalog(catalog: list[dict[str, Any]] = DEMO_CATALOG) -> None:
    """Raise DemoCatalogError listing every inconsistency in the data; writes nothing."""
    problems: list[str] = []
    for category in catalog:
        cname = category["name"]
        part_of: dict[str, str] = {}
        for part in category["parts"]:
            for option in part["options"]:
                if option["name"] in part_of:
                    problems.append(f"{cname}: option name {option['name']!r} is used twice")
                part_of[option["name"]] = part["name"]
                if option["price"] < 0:
                    problems.append(f"{cname}: option {option['name']!r} has a negative price")
        required_parts = {part["name"] for part in category["parts"] if part.get("required", True)}
        all_parts = {part["name"] for part in category["parts"]}

        forbidden: dict[frozenset[str], str] = {}
        for a, b, _message in category["incompatibilities"]:
            if a not in part_of or b not in part_of:
                problems.append(f"{cname}: incompatibility {a!r} ✗ {b!r} names an unknown option")
            elif part_of[a] == part_of[b]:
                problems.append(f"{cname}: incompatibility {a!r} ✗ {b!r} is within one part")
            forbidden[frozenset((a, b))] = f"{a} ✗ {b}"

        for rule in category["price_rules"]:
            names = [rule["option"], *rule["when"]]
            unknown = [name for name in names if name not in part_of]
            if unknown:
                problems.append(f"{cname}: price rule for {rule['option']!r} names unknown options {unknown}")
            elif part_of[rule["option"]] in {part_of[name] for name in rule["when"]}:
                problems.append(f"{cname}: price rule for {rule['option']!r} is conditioned on its own part")
            if not rule["when"]:
                problems.append(f"{cname}: price rule for {rule['option']!r} has no condition")

        for product in category["products"]:
            pname, chosen = product["name"], product["options"]
            unknown = [name for name in chosen if name not in part_of]
            if unknown:
                problems.append(f"{cname} / {pname}: unknown options {unknown}")
                continue
            per_part = Counter(part_of[name] for name in chosen)
            doubled = sorted(part for part, count in per_part.items() if count > 1)
            missing = sorted(required_parts - per_part.keys())
            if doubled:
                problems.append(f"{cname} / {pname}: more than one option for {doubled}")
            if missing:
                problems.append(f"{cname} / {pname}: no option for required parts {missing}")
            if per_part.keys() - all_parts:
                problems.append(f"{cname} / {pname}: options of unknown parts")
            for i, a in enumerate(chosen):
                for b in chosen[i + 1 :]:
                    if frozenset((a, b)) in forbidden:
                        problems.append(f"{cname} / {pname}: incompatible options {forbidden[frozenset((a, b))]}")
            if not product.get("description", "").strip():
                problems.append(f"{cname} / {pname}: no description")
    slugs = Counter(slugify(p["name"]) for c in catalog for p in c["products"])
    problems.extend(f"product slug {slug!r} is used twice" for slug, count in slugs.items() if count > 1)
    if problems:
        raise DemoCatalogError("Invalid demo catalog:\n  " + "\n  ".join(problems))


class _Tally:
    """Counts rows created and updated while syncing."""

    def __init__(self) -> None:
        self.created = 0
        self.updated = 0

    def sync(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> models.Model:
        """get-or-create by natural key; save only the fields whose value differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.created += 1
            return obj
        changed = [name for name, value in values.items() if _current(obj, name) != _plain(value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            # updated_at must move too, or the index's reconciliation would not see the change.
            update_fields = [*changed, "updated_at"] if hasattr(obj, "updated_at") else changed
            obj.save(update_fields=update_fields)
            self.updated += 1
        return obj


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _current(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)


@transaction.atomic
def load_demo_catalog() -> dict[str, int]:
    """Create or update the demo catalog; returns how many rows of each kind it holds, plus created/updated."""
    validate_demo_catalog(DEMO_CATALOG)
    tally = _Tally()
    counts = Counter()
    for cat_data in DEMO_CATALOG:
        category = tally.sync(
            Category,
            {"slug": cat_data["slug"]},
            {"name": cat_data["name"], "description": cat_data["description"], "is_active": True},
        )
        counts["categories"] += 1
        options: dict[str, PartOption] = {}
        for part_data in cat_data["parts"]:
            part = tally.sync(
                Part,
                {"category": category, "name": part_data["name"]},
                {
                    "step": part_data["step"],
                    "required": part_data.get("required", True),
                    "description": part_data["description"],
                },
            )
            counts["parts"] += 1
            for opt in part_data["options"]:
                options[opt["name"]] = tally.sync(
                    PartOption,
                    {"part": part, "name": opt["name"]},
                    {
                        "description": opt["description"],
                        "default_price": opt["price"],
                        "in_stock": opt["in_stock"],
                        "is_active": True,
                    },
                )
                counts["options"] += 1

        for a, b, message in cat_data["incompatibilities"]:
            _sync_incompatibility(tally, options[a], options[b], message)
            counts["incompatibilities"] += 1
        for rule in cat_data["price_rules"]:
            _sync_price_rule(tally, options[rule["option"]], [options[n] for n in rule["when"]], rule)
            counts["price_rules"] += 1
        for product in cat_data["products"]:
            _sync_product(tally, category, product, [options[n] for n in product["options"]])
            counts["products"] += 1
    return {**counts, "created": tally.created, "updated": tally.updated}


def _sync_incompatibility(tally: _Tally, a: PartOption, b: PartOption, message: str) -> None:
    # The rule is symmetric: an existing row in either direction is the same rule.
    existing = IncompatibilityRule.objects.filter(part_option=b, incompatible_with_option=a).first()
    if existing is not None:
        tally.sync(IncompatibilityRule, {"pk": existing.pk}, {"message": message})
    else:
        tally.sync(IncompatibilityRule, {"part_option": a, "incompatible_with_option": b}, {"message": message})


def _sync_price_rule(tally: _Tally, affected: PartOption, conditions: list[PartOption], data: dict[str, Any]) -> None:
    # Natural key: the affected option plus the exact set of condition options.
    wanted = {option.pk for option in conditions}
    for rule in PriceAdjustmentRule.objects.filter(affected_option=affected).prefetch_related("condition_options"):
        if {option.pk for option in rule.condition_options.all()} == wanted:
            tally.sync(
                PriceAdjustmentRule,
                {"pk": rule.pk},
                {"adjusted_price": data["price"], "description": data["description"]},
            )
            return
    rule = PriceAdjustmentRule.objects.create(
        affected_option=affected, adjusted_price=data["price"], description=data["description"]
    )
    rule.condition_options.set(conditions)
    tally.created += 1


def _sync_product(tally: _Tally, category: Category, data: dict[str, Any], options: list[PartOption]) -> None:
    # Through the products service, so the configurator checks each product as it does for the API.
    slug = slugify(data["name"])
    option_ids = [option.pk for option in options]
    product = PreConfiguredProduct.objects.filter(slug=slug).first()
    try:
        if product is None:
            create_product(
                category=category, name=data["name"], slug=slug, description=data["description"], options=option_ids
            )
            tally.created += 1
            return
        current = sorted(product.selections.values_list("option_id", flat=True))
        wanted = (category.pk, data["name"], data["description"], True, sorted(option_ids))
        if (product.category_id, product.name, product.description, product.is_active, current) != wanted:
            update_product(
                product,
                category=category,
                name=data["name"],
                description=data["description"],
                is_active=True,
                options=option_ids,
            )
            tally.updated += 1
    except ValidationError as exc:
        raise DemoCatalogError(f"Demo product {data['name']!r} was refused: {exc.messages}") from exc
