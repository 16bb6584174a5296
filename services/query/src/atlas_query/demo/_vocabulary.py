"""The demo company's fixed vocabulary: the values its categorical columns take.

The semantic layer's ``sample_values`` list exactly these values (a test checks it), so a
change here is a change to ``semantic/entities/*.yml`` too.
"""

from __future__ import annotations

from dataclasses import dataclass

# (value, relative weight): skewed the way a US-headquartered SaaS shop's customers would be.
COUNTRIES: tuple[tuple[object, int], ...] = (
    ("United States", 30),
    ("Germany", 12),
    ("United Kingdom", 11),
    ("India", 9),
    ("France", 8),
    ("Canada", 8),
    ("Brazil", 7),
    ("Japan", 6),
    ("Australia", 5),
    ("Spain", 4),
)
PLANS: tuple[tuple[object, int], ...] = (("free", 62), ("pro", 28), ("business", 10))
SIGNUP_SOURCES: tuple[tuple[object, int], ...] = (
    ("organic", 45),
    ("ads", 25),
    ("referral", 18),
    ("partner", 12),
)
LINES_PER_ORDER: tuple[tuple[object, int], ...] = ((1, 25), (2, 30), (3, 25), (4, 12), (5, 8))
ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")


@dataclass(frozen=True)
class Category:
    name: str
    nouns: tuple[str, ...]
    price_range: tuple[int, int]  # list price bounds in cents


CATEGORIES = (
    Category("Electronics", ("Headphones", "Speaker", "Keyboard", "Webcam", "Charger"),
             (1_500, 30_000)),
    Category("Books", ("Cookbook", "Novel", "Atlas", "Field Guide", "Journal"), (800, 4_500)),
    Category("Home & Kitchen", ("Kettle", "Skillet", "Knife Set", "Blender", "Lamp"),
             (1_500, 20_000)),
    Category("Clothing", ("Hoodie", "T-Shirt", "Jacket", "Sneakers", "Scarf"), (1_500, 15_000)),
    Category("Sports & Outdoors", ("Yoga Mat", "Water Bottle", "Tent", "Backpack", "Dumbbells"),
             (1_200, 25_000)),
    Category("Beauty", ("Moisturizer", "Shampoo", "Serum", "Lip Balm", "Sunscreen"),
             (500, 6_000)),
    Category("Toys & Games", ("Puzzle", "Board Game", "Building Set", "Plush Bear", "Kite"),
             (800, 8_000)),
    Category("Office Supplies", ("Notebook", "Desk Organizer", "Pen Set", "Monitor Stand",
                                 "Planner"), (500, 9_000)),
    Category("Garden", ("Planter", "Hose", "Pruner", "Seed Kit", "Bird Feeder"), (800, 12_000)),
    Category("Pet Supplies", ("Dog Bed", "Cat Tree", "Leash", "Pet Fountain", "Chew Toy"),
             (700, 15_000)),
)
ADJECTIVES = ("Classic", "Pro", "Compact", "Deluxe")

FIRST_NAMES = (
    "James", "Mary", "Lukas", "Sophie", "Oliver", "Amelia", "Louis", "Chloe", "Liam", "Emma",
    "Lucas", "Ana", "Arjun", "Priya", "Haruto", "Yui", "Jack", "Charlotte", "Pablo", "Lucia",
    "Noah", "Olivia", "Felix", "Mia", "Gabriel", "Julia", "Rohan", "Aiko", "Ethan", "Isla",
)
LAST_NAMES = (
    "Smith", "Johnson", "Mueller", "Schmidt", "Brown", "Taylor", "Martin", "Bernard", "Wilson",
    "Tremblay", "Silva", "Santos", "Sharma", "Patel", "Sato", "Suzuki", "Jones", "Garcia",
    "Lopez", "Williams", "Davis", "Fischer", "Evans", "Dubois", "Roy", "Costa", "Gupta",
    "Tanaka", "Walker", "Fernandez",
)


def product_count() -> int:
    return sum(len(c.nouns) for c in CATEGORIES) * len(ADJECTIVES)


def values(choices: tuple[tuple[object, int], ...]) -> list[object]:
    return [value for value, _ in choices]
