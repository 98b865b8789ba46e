"""Vocabulary of the "rich" naming style of the synthetic catalog: product themes with multi-word parts.

Option names are built as "<size> <kind> <noun>" ("60 mm cruiser wheels", "35 L waxed canvas body") or
"<Kind> <noun>" when a part has no sizes. Each kind carries a synonym and a use, which the option's
description states ("also known as ..."), so search and the assistant can learn them from the catalog's text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartTheme:
    name: str
    noun: str  # how the option names of this part end
    synonyms: tuple[str, ...]  # other words customers use for the part
    kinds: tuple[tuple[str, str, str], ...]  # (kind words, synonym, what it is good for)
    sizes: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class Theme:
    plural: str
    singular: str
    uses: tuple[str, ...]  # what the family is for, stated in category and product descriptions
    parts: tuple[PartTheme, ...]


THEMES: tuple[Theme, ...] = (
    Theme("Sea kayaks", "sea kayak", ("coastal touring", "multi-day trips on open water"), (
        PartTheme("Hull", "hull", ("shell",), (
            ("rotomoulded polyethylene", "plastic", "rocky beaches"), ("fibreglass", "glass", "fast day trips"),
            ("carbon-kevlar", "composite", "long expeditions")), ("4.6 m", "5.2 m", "5.5 m")),
        PartTheme("Paddle", "paddle", ("blade",), (
            ("aluminium shaft", "alloy", "beginners"), ("carbon feather", "lightweight", "long days"),
            ("laminated wood", "timber", "a classic feel")), ("210 cm", "220 cm", "230 cm")),
        PartTheme("Seat", "seat", ("chair", "cockpit seat"), (
            ("padded foam", "cushioned", "comfort"), ("contoured gel", "gel", "hours in the boat"),
            ("adjustable backband", "backrest", "a sore back"))),
        PartTheme("Spray deck", "spray deck", ("spray skirt", "skirt"), (
            ("neoprene", "wetsuit fabric", "rough water"), ("nylon", "fabric", "warm days")), optional=True),
        PartTheme("Rudder", "rudder", ("steering",), (
            ("foot-steered", "pedal", "crosswinds"), ("retractable skeg", "drop-down fin", "tracking straight")),
            optional=True),
    )),
    Theme("Backpacks", "backpack", ("day hikes", "long-distance trekking"), (
        PartTheme("Body", "body", ("pack bag", "main compartment"), (
            ("ripstop nylon", "nylon", "wet weather"), ("waxed canvas", "canvas", "city use"),
            ("Dyneema", "ultralight", "fast hikes")), ("22 L", "35 L", "50 L", "65 L")),
        PartTheme("Harness", "harness", ("shoulder straps", "back system"), (
            ("ventilated mesh", "airflow", "hot days"), ("padded foam", "cushioned", "heavy loads"),
            ("adjustable torso", "fit-adjustable", "sharing between people"))),
        PartTheme("Hip belt", "hip belt", ("waist belt",), (
            ("padded", "cushioned", "heavy loads"), ("minimal webbing", "strap", "light loads")), optional=True),
        PartTheme("Rain cover", "rain cover", ("rain fly", "cover"), (
            ("high-visibility", "hi-vis", "road walking"), ("olive", "green", "blending in")), optional=True),
    )),
    Theme("Skateboards", "skateboard", ("street tricks", "cruising around town"), (
        PartTheme("Deck", "deck", ("board",), (
            ("maple", "wooden", "tricks"), ("bamboo", "flexible", "carving"), ("carbon", "stiff", "speed")),
            ("8.0 inch", "8.25 inch", "8.5 inch")),
        PartTheme("Trucks", "trucks", ("axles",), (
            ("low", "low-profile", "flip tricks"), ("high", "tall", "big wheels"), ("hollow", "lightweight", "pop")),
            ("129 mm", "139 mm", "149 mm")),
        PartTheme("Wheels", "wheels", ("rollers",), (
            ("99A street", "hard", "skateparks"), ("78A cruiser", "soft", "rough roads"),
            ("conical park", "fast", "bowls")),
            ("52 mm", "56 mm", "60 mm")),
        PartTheme("Bearings", "bearings", ("ball bearings",), (
            ("ABEC 7 steel", "steel", "everyday riding"), ("ceramic", "low-friction", "speed"),
            ("ABEC 5 basic", "basic", "a budget"))),
        PartTheme("Grip tape", "grip tape", ("griptape",), (
            ("clear", "see-through", "showing the deck art"), ("coarse black", "black", "a firm stance")),
            optional=True),
    )),
    Theme("Tents", "tent", ("wild camping", "festival weekends"), (
        PartTheme("Fly sheet", "fly sheet", ("outer tent", "rainfly"), (
            ("silnylon", "silicone nylon", "saving weight"), ("polyester", "PU polyester", "strong sun"),
            ("cotton canvas", "canvas", "long stays")), ("20D", "40D", "70D")),
        PartTheme("Poles", "poles", ("frame",), (
            ("aluminium", "alloy", "windy nights"), ("fibreglass", "glass fibre", "a budget"),
            ("carbon", "light", "ultralight trips")), ("8.5 mm", "9.6 mm")),
        PartTheme("Inner", "inner", ("bedroom", "inner tent"), (
            ("mesh", "airy", "warm nights"), ("solid nylon", "warm", "cold nights"),
            ("half-mesh", "mixed", "all seasons"))),
        PartTheme("Footprint", "footprint", ("groundsheet protector", "ground sheet"), (
            ("polyethylene", "PE", "rough ground"), ("nylon", "fabric", "saving weight")), ("2 person", "3 person"),
            optional=True),
        PartTheme("Pegs", "pegs", ("stakes",), (
            ("titanium", "Ti", "hard ground"), ("Y-section aluminium", "alloy", "soft ground")), ("16 cm", "18 cm"),
            optional=True),
    )),
    Theme("Electric scooters", "electric scooter", ("commuting to work", "short city trips"), (
        PartTheme("Motor", "motor", ("engine", "drive"), (
            ("rear hub", "rear-wheel", "flat cities"), ("dual", "two-wheel-drive", "steep hills")),
            ("250 W", "350 W", "500 W")),
        PartTheme("Battery", "battery", ("range pack", "accu"), (
            ("lithium-ion", "Li-ion", "daily rides"), ("removable", "swappable", "charging at the desk")),
            ("7.8 Ah", "10.4 Ah", "15 Ah")),
        PartTheme("Tyres", "tyres", ("tires",), (
            ("pneumatic", "air-filled", "a smooth ride"), ("solid", "puncture-proof", "glass-strewn streets"),
            ("tubeless", "self-sealing", "few flats")), ("8.5 inch", "10 inch")),
        PartTheme("Lights", "lights", ("lamps",), (
            ("LED front and rear", "LED", "riding at night"), ("integrated deck", "deck", "being seen")),
            optional=True),
        PartTheme("Lock", "lock", ("anti-theft",), (
            ("folding", "fold-up", "city parking"), ("steel cable", "wire", "quick stops")), optional=True),
    )),
    Theme("Snowboards", "snowboard", ("freestyle in the park", "deep powder"), (
        PartTheme("Profile", "profile", ("shape", "camber"), (
            ("traditional camber", "classic", "carving"), ("full rocker", "banana", "powder"),
            ("hybrid camber", "mixed", "all-mountain riding"))),
        PartTheme("Board size", "board", ("length",), (
            ("regular", "standard", "most feet"), ("wide", "wide-stance", "big feet")), ("150 cm", "154 cm", "158 cm")),
        PartTheme("Bindings", "bindings", ("binders",), (
            ("two-strap", "strap-in", "freestyle"), ("rear-entry", "step-in", "quick starts"),
            ("stiff freeride", "freeride", "high speed"))),
        PartTheme("Base", "base", ("sole",), (
            ("sintered", "fast", "racing"), ("extruded", "low-maintenance", "a budget"))),
        PartTheme("Leash", "leash", ("safety strap",), (
            ("coiled", "spiral", "lift rides"), ("straight webbing", "strap", "a budget")), optional=True),
    )),
    Theme("Espresso machines", "espresso machine", ("coffee at home", "a small office kitchen"), (
        PartTheme("Boiler", "boiler", ("heater",), (
            ("single", "one-boiler", "espresso only"), ("dual", "double", "milk drinks"),
            ("heat-exchanger", "HX", "back-to-back cups")), ("0.4 L", "1.2 L", "2 L")),
        PartTheme("Pump", "pump", ("pressure pump",), (
            ("vibration", "vibe", "a budget"), ("rotary", "quiet", "early mornings")), ("9 bar", "15 bar")),
        PartTheme("Housing", "housing", ("body colour", "casing"), (
            ("brushed stainless", "steel", "a modern kitchen"), ("matte black", "black", "a dark kitchen"),
            ("cream enamel", "cream", "a retro look"))),
        PartTheme("Grinder", "grinder", ("mill",), (
            ("conical burr", "conical", "fresh beans"), ("flat burr", "flat", "light roasts")), ("38 mm", "54 mm"),
            optional=True),
        PartTheme("Steam wand", "steam wand", ("milk frother", "frother"), (
            ("manual", "classic", "latte art"), ("automatic", "auto", "quick cappuccinos")), optional=True),
    )),
    Theme("Fishing rods", "fishing rod", ("lake fishing from the shore", "sea fishing from a boat"), (
        PartTheme("Blank", "blank", ("rod body",), (
            ("carbon", "graphite", "feeling bites"), ("fibreglass", "glass", "big fish"),
            ("composite", "hybrid", "all-round fishing")), ("2.1 m", "2.7 m", "3.3 m")),
        PartTheme("Reel", "reel", ("spool",), (
            ("spinning", "fixed-spool", "beginners"), ("baitcasting", "baitcaster", "accurate casts")),
            ("size 2500", "size 4000")),
        PartTheme("Line", "line", ("fishing line",), (
            ("monofilament", "mono", "forgiving hook sets"), ("braided", "braid", "long casts"),
            ("fluorocarbon", "fluoro", "clear water")), ("0.2 mm", "0.3 mm")),
        PartTheme("Handle", "handle", ("grip",), (
            ("natural cork", "cork", "cold hands"), ("EVA foam", "foam", "wet days"))),
        PartTheme("Rod tube", "rod tube", ("case",), (
            ("hard case", "rigid", "travel"), ("padded sleeve", "soft", "the car boot")), optional=True),
    )),
)

# Syllables of invented product-line names ("Varnok", "Teliza"): different for every seed.
ONSETS = ("V", "T", "K", "Z", "M", "Br", "Gl", "Q", "S", "Dr", "L", "N", "R", "Fl", "H", "P")
VOWELS = ("a", "e", "i", "o", "u", "ay", "ei", "ou")
CODAS = ("rn", "x", "l", "nd", "k", "th", "sh", "m", "v", "r", "z", "nt")
ENDINGS = ("a", "o", "is", "ex", "on", "ia", "us", "ar")
MODEL_WORDS = ("Glide", "Trek", "One", "Sport", "Tour", "Lite", "Max", "Flow", "Edge", "Core", "Aero", "Terra")
OPENINGS = ("A dependable", "A nimble", "A premium", "An affordable", "A versatile", "A tough", "A light")
