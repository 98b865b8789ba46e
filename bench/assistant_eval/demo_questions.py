"""The demo set: the hand-written questions on the demo catalog (bicycles, skis, surfboards, roller skates).

These are the questions `bench.assistant` always asked, with the same checks, written in the question-set
format (docs/benchmarks.md). They were written alongside the engine and tuned on, so they measure memory
more than understanding: the dev, held-out and blind sets are the measure of generalisation.
"""

from __future__ import annotations

MOUNTAIN_BIKES = ["Enduro Pro", "Ridge Runner", "Summit Single", "Trail Blazer FS"]

# (intent, question, expect, follows the previous question)
_ROWS: list[tuple[str, str, dict, bool]] = [
    ("find", "show me mountain bikes under 900", {"products_exact": MOUNTAIN_BIKES}, False),
    ("follow_up", "and with black rims?", {"products_exact": ["Enduro Pro", "Trail Blazer FS"]}, True),
    ("follow_up", "under 330?", {"products_exact": ["Enduro Pro"]}, True),
    ("find", "what is the cheapest bike?", {"first": "Fixie Classic", "mentions": ["273.00"]}, False),
    ("find", "which surfboard is the cheapest?", {"first": "Wave Ripper", "mentions": ["510.00"]}, False),
    ("find", "most expensive skis", {"first": "Sunset Freerider"}, False),
    ("find", "roller skates under 220", {"products_exact": ["Jam Skater", "Rink Classic"]}, False),
    ("find", "bikes between 300 and 320 euros", {"products_exact": ["City Glide", "Fat Tire Explorer"]}, False),
    ("find", "fat bikes under 300", {"products_exact": ["Dune Drifter"]}, False),
    ("find", "show me step-through bikes", {"products_exact": ["City Glide", "Urban Step", "Dune Drifter"]}, False),
    ("find", "road bikes with an 8-speed chain",
     {"products_exact": ["Velocity Road", "Weekend Tourer", "City Glide"]}, False),
    ("find", "inline skates please",
     {"products_exact": ["Speed Racer Inline", "Fitness Inline", "Indoor Inline Trainer"]}, False),
    ("find", "longboards in stock", {"products_exact": ["Noserider Classic"]}, False),
    ("find", "skis with a touring binding", {"products_exact": ["Backcountry Explorer", "Sunset Freerider"]}, False),
    ("use_case", "I need a bike for riding on snow", {"top3_any": ["Snow Cruiser", "Fat Tire Explorer"]}, False),
    ("use_case", "a surfboard for beginners", {"top3_any": ["Beginner Funboard"]}, False),
    ("use_case", "skis for deep powder days", {"top3_any": ["Powder Hound"]}, False),
    ("use_case", "skates for the roller rink", {"top3_any": ["Rink Classic"]}, False),
    ("config_price", "how much is a matte full-suspension bike with road wheels, blue rims and an 8-speed chain?",
     {"amount": "340.00"}, False),
    ("config_price",
     "How much would a shiny diamond bike with road wheels, red rims and a single-speed chain cost?",
     {"amount": "273.00"}, False),
    ("config_price",
     "price of a step-through bike with matte finish, fat bike wheels, black rims and 8 speed chain",
     {"amount": "325.00"}, False),
    ("product_price", "how much is the Trail Blazer FS?", {"amount": "345.00"}, False),
    ("product_price", "what does the Backcountry Explorer cost?", {"amount": "624.00"}, False),
    ("config_price", "how much for a long touring ski with a touring binding and the graphite matte topsheet?",
     {"amount": "624.00"}, False),
    ("option_price", "how much is a matte finish on a full suspension frame?", {"amount": "50.00"}, False),
    ("option_price", "how much are fat bike wheels?", {"amount": "100.00"}, False),
    ("product_price", "how much does the Speed Racer Inline cost?", {"amount": "290.00"}, False),
    ("missing_part", "price of a matte bike with road wheels", {"missing_parts": ["Frame type", "Rim color", "Chain"]},
     False),
    ("follow_up", "and with blue rims, an 8 speed chain and a diamond frame?", {"amount": "295.00"}, True),
    ("compatibility", "can I have red rims with fat bike wheels?", {"answer_yes": False}, False),
    ("compatibility", "can I get blue rims with fat bike wheels?", {"answer_yes": True}, False),
    ("compatibility", "do mountain wheels work with a diamond frame?", {"answer_yes": False}, False),
    ("compatibility", "mountain wheels on a step-through frame, is that possible?", {"answer_yes": False}, False),
    ("compatibility", "are mountain wheels compatible with full suspension?", {"answer_yes": True}, False),
    ("compatibility", "can I combine a touring binding with a carving ski?", {"answer_yes": False}, False),
    ("compatibility", "does a race binding go with a touring ski?", {"answer_yes": False}, False),
    ("compatibility", "can I put a single fin on a shortboard?", {"answer_yes": False}, False),
    ("compatibility", "can I use a 6 ft leash with a longboard?", {"answer_yes": False}, False),
    ("compatibility", "can I have a toe stop with the inline boot?", {"answer_yes": False}, False),
    ("compatibility", "do speed wheels fit a low-top quad boot?", {"answer_yes": False}, False),
    ("compatibility", "can I have a matte finish with a diamond frame?",
     {"answer_yes": True, "mentions": ["35.00"]}, False),
    ("compatibility", "can I get quad fins on a fish?", {"answer_yes": True}, False),
    ("stock", "which options are out of stock?",
     {"mentions": ["Sunset orange", "Carbon-reinforced epoxy", "Outdoor wheels (78A)"]}, False),
    ("stock", "which topsheets are out of stock?", {"mentions": ["Sunset orange"]}, False),
    ("stock", "is the sunset orange topsheet in stock?", {"answer_yes": False}, False),
    ("stock", "are outdoor wheels available?", {"answer_yes": False}, False),
    ("stock", "is the Carbon Longboard available?", {"mentions": ["unavailable"]}, False),
    ("stock", "is the epoxy construction in stock?", {"answer_yes": True}, False),
    ("stock", "which surfboard constructions are out of stock?", {"mentions": ["Carbon-reinforced epoxy"]}, False),
    ("stock", "are red rims in stock?", {"answer_yes": True}, False),
    ("part_options", "what options does the rim color have?", {"mentions": ["Red", "Black", "Blue"]}, False),
    ("part_options", "what leashes do you have?", {"mentions": ["6 ft leash", "9 ft leash"]}, False),
    ("part_options", "which bindings can I choose for skis?",
     {"mentions": ["Alpine binding", "Touring binding", "Race binding"]}, False),
    # paraphrases written after the engine was tuned on the questions above, and kept as they scored
    ("find", "Got any fat bikes?", {"products_exact": ["Fat Tire Explorer", "Snow Cruiser", "Dune Drifter"]}, False),
    ("find", "I'm looking for a road bike below 294",
     {"products_exact": ["Fixie Classic", "Velocity Road", "Urban Step"]}, False),
    ("find", "cheapest skis in stock", {"first": "First Tracks Junior"}, False),
    ("find", "Which roller skates cost more than 250?",
     {"products_exact": ["Fitness Inline", "Speed Racer Inline"]}, False),
    ("find", "Any surfboards under 600?", {"products_exact": ["Wave Ripper"]}, False),
    ("product_price", "What's the price of the Dune Drifter?", {"amount": "298.00"}, False),
    ("option_price", "How much is an 8-speed chain?", {"amount": "60.00"}, False),
    ("config_price", "what would a fish surfboard with epoxy, thruster fins and a 6 ft leash cost?",
     {"amount": "630.00"}, False),
    ("product_price", "Tell me about the Powder Hound", {"amount": "625.00"}, False),
    ("compatibility", "Would red rims work with fat bike wheels?", {"answer_yes": False}, False),
    ("compatibility", "Is it possible to get mountain wheels on a diamond frame?", {"answer_yes": False}, False),
    ("compatibility", "Can the step-through frame take fat bike wheels?", {"answer_yes": True}, False),
    ("compatibility", "Can I order a longboard with a 6ft leash?", {"answer_yes": False}, False),
    ("stock", "Are ceramic bearings in stock?", {"answer_yes": True}, False),
    ("stock", "Is the carbon-reinforced epoxy construction available?", {"answer_yes": False}, False),
    ("part_options", "What colours can the rims be?", {"mentions": ["Red", "Black", "Blue"]}, False),
]


def demo_questions() -> list[dict]:
    """The demo set in the question-set format; a follow-up follows the question just before it."""
    questions: list[dict] = []
    for number, (intent, text, expect, follows) in enumerate(_ROWS, start=1):
        questions.append({
            "id": f"demo{number:03d}",
            "intent": intent,
            "question": text,
            "follow_up_of": questions[-1]["id"] if follows else None,
            "expect": expect,
        })
    return questions
