"""What the demo family sells: real Vinted categories (catalog ids from ``vocabulary``), the brands and
colours usual in each, Italian titles and descriptions, and the prices such items fetch on Vinted.it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vinted_optimizer.vocabulary import (
    COLOR_BY_NAME,
    CONDITION_LABELS_IT,
    CONDITION_STATUS_IDS,
    Condition,
    load_catalogs,
)
from vinted_optimizer.vocabulary.packages import suggested_package_size
from vinted_optimizer.vocabulary.sizes import VintedSize, sizes_for

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Template:
    catalog_id: int
    shape: str  # demo.photos.SHAPES
    noun: str  # the title's first word(s): "Jeans a vita alta"
    brands: tuple[str, ...]
    colors: tuple[str, ...]  # Vinted colour names (vocabulary.colors)
    price: tuple[int, int]  # what it sells for on Vinted, euros
    owner: str  # whose wardrobe it usually comes from (a demo username)
    weight: int = 10
    details: tuple[str, ...] = ()


TEMPLATES: tuple[Template, ...] = (
    Template(
        1842,
        "trousers",
        "Jeans a vita alta",
        ("Levi's", "Zara", "Mango"),
        ("Blu", "Azzurro", "Nero"),
        (12, 38),
        "giulia",
        14,
        ("taglio mom fit", "cinque tasche", "lavaggio chiaro"),
    ),
    Template(
        190,
        "sweater",
        "Maglione con scollo a V",
        ("Benetton", "Zara", "H&M"),
        ("Beige", "Grigio", "Bordeaux"),
        (10, 30),
        "giulia",
        10,
        ("filato morbido", "vestibilità regolare"),
    ),
    Template(
        2527,
        "jacket",
        "Giacca biker",
        ("Zara", "Bershka", "Stradivarius"),
        ("Nero", "Marrone"),
        (18, 45),
        "giulia",
        7,
        ("in similpelle", "zip metalliche"),
    ),
    Template(
        2526,
        "jacket",
        "Cappotto lungo",
        ("Max Mara", "Mango", "Zara"),
        ("Beige", "Nero", "Grigio"),
        (35, 140),
        "giulia",
        5,
        ("doppiopetto", "con cintura in vita", "foderato"),
    ),
    Template(
        2632,
        "shoe",
        "Sneakers",
        ("Nike", "Adidas", "Converse", "New Balance"),
        ("Bianco", "Nero", "Rosa cipria"),
        (20, 65),
        "giulia",
        12,
        ("suola in gomma", "lacci originali"),
    ),
    Template(
        2618,
        "shoe",
        "Stivaletti",
        ("Dr. Martens", "Geox", "Zara"),
        ("Nero", "Marrone"),
        (25, 80),
        "giulia",
        6,
        ("tacco basso", "zip laterale"),
    ),
    Template(
        158,
        "bag",
        "Borsa a spalla",
        ("Furla", "Michael Kors", "Guess", "Liu Jo"),
        ("Nero", "Beige", "Rosso"),
        (25, 120),
        "giulia",
        8,
        ("tracolla regolabile", "interno foderato", "chiusura con zip"),
    ),
    Template(
        221,
        "top",
        "T-shirt",
        ("Zara", "H&M", "Pull&Bear"),
        ("Bianco", "Nero", "Verde", "Lilla"),
        (4, 14),
        "giulia",
        12,
        ("cotone", "girocollo"),
    ),
    Template(
        1092,
        "skirt",
        "Gonna a trapezio",
        ("Zara", "Mango", "Stradivarius"),
        ("Nero", "Blu navy", "Senape"),
        (8, 25),
        "giulia",
        6,
        ("a vita alta", "lunghezza midi"),
    ),
    Template(
        1059,
        "dress",
        "Abito casual",
        ("Zara", "Mango", "H&M", "Motivi"),
        ("Nero", "Rosso", "Azzurro", "Verde scuro"),
        (10, 35),
        "giulia",
        9,
        ("fantasia floreale", "maniche a sbuffo", "lunghezza al ginocchio"),
    ),
    Template(
        267,
        "sweater",
        "Felpa con cappuccio",
        ("Nike", "Adidas", "Champion", "The North Face"),
        ("Grigio", "Nero", "Blu navy"),
        (15, 45),
        "marco",
        10,
        ("tasca a marsupio", "interno felpato"),
    ),
    Template(
        1807,
        "top",
        "T-shirt con stampa",
        ("Nike", "Adidas", "Levi's", "Carhartt"),
        ("Bianco", "Nero", "Grigio"),
        (6, 20),
        "marco",
        9,
        ("stampa frontale", "cotone pesante"),
    ),
    Template(
        1818,
        "trousers",
        "Jeans slim fit",
        ("Levi's", "Diesel", "Jack & Jones"),
        ("Blu", "Nero"),
        (15, 45),
        "marco",
        8,
        ("cinque tasche", "elasticizzati"),
    ),
    Template(
        1242,
        "shoe",
        "Sneakers",
        ("Nike", "Adidas", "New Balance", "Vans"),
        ("Bianco", "Nero", "Grigio"),
        (25, 90),
        "marco",
        10,
        ("suola in gomma", "con scatola originale"),
    ),
    Template(
        2551,
        "jacket",
        "Giacca a vento",
        ("The North Face", "Napapijri", "Colmar"),
        ("Nero", "Rosso", "Blu navy"),
        (30, 110),
        "marco",
        6,
        ("cappuccio a scomparsa", "impermeabile"),
    ),
    Template(
        1801,
        "top",
        "Camicia a quadri",
        ("Ralph Lauren", "Tommy Hilfiger", "Uniqlo"),
        ("Rosso", "Blu", "Verde scuro"),
        (12, 40),
        "marco",
        6,
        ("collo button-down", "cotone flanellato"),
    ),
    Template(
        2549,
        "jacket",
        "Giacca a vento bambina",
        ("Chicco", "Benetton", "Zara Kids"),
        ("Rosa", "Lilla", "Azzurro"),
        (8, 28),
        "nonna.rosa",
        8,
        ("cappuccio staccabile", "tasche con zip"),
    ),
    Template(
        2364,
        "book",
        "Libro per bambini",
        (),
        ("Multicolore",),
        (3, 12),
        "nonna.rosa",
        9,
        ("copertina rigida", "illustrato", "pagine integre"),
    ),
)

PLACES = ("Bologna", "Roma", "Milano", "Napoli", "Torino", "Firenze", "Bari", "Verona", "Padova", "Palermo")
BUYERS = (
    "sara_vintage",
    "lucia.m",
    "ale_romano",
    "fede88",
    "chiaraboutique",
    "mattia.shop",
    "elena_b",
    "ilaria.store",
    "simo_moda",
    "marta.r",
    "giorgia_k",
    "davide_sneakers",
    "franci.v",
    "paola.armadio",
    "luca_t",
    "anna.cambia",
    "vale_closet",
    "nicolo.b",
    "beatrice_m",
    "rebecca.look",
    "stefania_f",
    "giada_pre_loved",
    "tommaso.r",
)
BOOK_TITLES = (
    "Il Piccolo Principe",
    "Favole al telefono di Gianni Rodari",
    "Il GGG di Roald Dahl",
    "Geronimo Stilton, Il mistero dell'occhio di smeraldo",
    "Pimpa e i suoi amici",
    "La gabbianella e il gatto",
    "Harry Potter e la pietra filosofale",
    "Cipì di Mario Lodi",
)
USED_WORDS = {"book": "letto una volta", "bag": "usata con cura", "shoe": "indossate poche volte"}
CONDITION_WEIGHTS: dict[Condition, int] = {
    "new_with_tags": 8,
    "new_without_tags": 12,
    "very_good": 42,
    "good": 30,
    "satisfactory": 8,
}
CONDITION_PRICE: dict[Condition, float] = {
    "new_with_tags": 1.35,
    "new_without_tags": 1.2,
    "very_good": 1.0,
    "good": 0.85,
    "satisfactory": 0.65,
}


def check_templates() -> None:
    """Every template names a real catalog that files items, and real colours (run by the tests)."""
    catalogs = load_catalogs()
    for template in TEMPLATES:
        assert template.catalog_id in catalogs, template
        for color in template.colors:
            assert color in COLOR_BY_NAME, color


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _round_price(value: float) -> Decimal:
    """Prices as sellers write them: whole euros, or .50, or .90 below ten."""
    if value < 10:
        return _money(round(value * 2) / 2 or 1)
    return _money(round(value))


COMMON_LETTERS = ("XS", "S", "M", "L", "XL", "XXL")


def short_size(title: str) -> str:
    """How a seller writes the size in a title: "M" for "M / 38 / 10", "42" for "42 (UK 8)"."""
    return title.split(" / ")[0].split(" (")[0]


def common_sizes(sizes: Sequence[VintedSize]) -> list[VintedSize]:
    """The sizes most items come in (letters XS–XXL, shoes 35–46, children's ages), in Vinted's order;
    all of them when none is one of those."""

    def common(size: VintedSize) -> bool:
        short = short_size(size.title_it)
        if short in COMMON_LETTERS or "anni" in short:
            return True
        try:
            return 35 <= float(short) <= 46 and float(short).is_integer()
        except ValueError:
            return False

    found = [size for size in sizes if common(size)]
    return found or list(sizes)


def pick_template(rng: random.Random, owner: str | None = None) -> Template:
    pool = [t for t in TEMPLATES if owner is None or t.owner == owner] or list(TEMPLATES)
    return rng.choices(pool, weights=[t.weight for t in pool])[0]


def item(rng: random.Random, template: Template, brand: str | None, color: str) -> dict[str, Any]:
    """A listing's fields for one item of this template: names beside Vinted's ids, as the listings
    service would have settled them (listings.fields)."""
    catalog = load_catalogs()[template.catalog_id]
    condition = rng.choices(list(CONDITION_WEIGHTS), weights=list(CONDITION_WEIGHTS.values()))[0]
    sizes = common_sizes(sizes_for(catalog))
    size = None
    if sizes:
        # The middle sizes are the usual ones.
        middle = (len(sizes) - 1) / 2
        index = min(len(sizes) - 1, max(0, round(rng.gauss(middle, max(0.8, len(sizes) / 5)))))
        size = sizes[index]
    low, high = template.price
    price = _round_price(rng.uniform(low, high) * CONDITION_PRICE[condition])
    # What the family paid: often little (a market, a present), sometimes nothing (its own old clothes).
    paid = 0.0 if rng.random() < 0.35 else float(price) * rng.uniform(0.2, 0.7)
    detail = rng.choice(template.details) if template.details else ""
    words = [template.noun]
    if template.shape == "book":
        words = [f"{template.noun}: {rng.choice(BOOK_TITLES)}"]
    else:
        if brand:
            words.append(brand)
        words.append(color.lower())
    if size is not None:
        words.append(f"taglia {short_size(size.title_it)}")
    title = " ".join(words)[:200]
    what = (
        title
        if template.shape == "book"
        else f"{template.noun} {brand or ''} {color.lower()}".replace("  ", " ")
    )
    used = USED_WORDS.get(template.shape, "indossato poche volte")
    description = (
        f"{what}, {detail}. {CONDITION_LABELS_IT[condition]}"
        + (f": {used}." if condition in ("very_good", "good") else ".")
        + f" Spedisco in 24/48 ore da {rng.choice(PLACES)}, imballato con cura. Per domande scrivetemi!"
    )
    return {
        "title": title,
        "description": description,
        "price": price,
        "purchase_cost": _money(paid),
        "category": catalog.path_it,
        "category_id": catalog.id,
        "brand": brand,
        "condition": condition,
        "status_id": CONDITION_STATUS_IDS[condition],
        "size": size.title_it if size else None,
        "size_id": size.id if size else None,
        "colors": [color],
        "color_ids": [COLOR_BY_NAME[color].id],
        "package_size_id": suggested_package_size(catalog).id,
    }
