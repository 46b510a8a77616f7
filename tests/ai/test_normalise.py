"""The normalisation tables: conditions, colours, brands, tags, prices and the category matcher."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vinted_optimizer.ai.catalog import _by_path, detect_audience, match_category
from vinted_optimizer.ai.category_keywords import KEYWORDS
from vinted_optimizer.ai.normalise import (
    normalise_brand,
    normalise_colors,
    normalise_condition,
    normalise_tags,
    parse_price,
)
from vinted_optimizer.ai.schemas import SuggestedPrice
from vinted_optimizer.vocabulary import (
    CONDITION_LABELS_IT,
    CONDITION_STATUS_IDS,
    VINTED_COLORS,
    load_catalogs,
)
from vinted_optimizer.vocabulary.taxonomy.build_catalogs import derive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nuovo con cartellino", "new_with_tags"),
        ("Nuovo senza cartellino", "new_without_tags"),
        ("Ottime condizioni", "very_good"),
        ("Ottime", "very_good"),
        ("Buone", "good"),
        ("Buone condizioni", "good"),
        ("Discrete condizioni", "satisfactory"),
        ("usato in buone condizioni", "good"),
        ("usato in ottime condizioni", "very_good"),
        ("usato, discrete condizioni", "satisfactory"),
        ("like new", "new_without_tags"),
        ("mai usato", "new_without_tags"),
        ("mai indossata", "new_without_tags"),
        ("new with tags", "new_with_tags"),
        ("brand new", "new_without_tags"),
        ("Very good", "very_good"),
        ("good condition", "good"),
        ("usato", "good"),
        ("Nuovo", "new_without_tags"),
        ("new_with_tags", "new_with_tags"),
        (6, "new_with_tags"),
        ("2", "very_good"),
        ("sconosciuta", None),
        ("", None),
        (None, None),
    ],
)
def test_conditions(text: object, expected: str | None) -> None:
    assert normalise_condition(text) == expected


def test_condition_tables_match_vinted() -> None:
    assert CONDITION_STATUS_IDS == {
        "new_with_tags": 6,
        "new_without_tags": 1,
        "very_good": 2,
        "good": 3,
        "satisfactory": 4,
    }
    # Vinted's own long labels map back to their codes.
    for code, label in CONDITION_LABELS_IT.items():
        assert normalise_condition(label) == code


def test_colour_list_is_vinteds() -> None:
    assert len(VINTED_COLORS) == 28
    ids = [c.id for c in VINTED_COLORS]
    assert len(set(ids)) == 28 and 18 not in ids and 19 not in ids
    assert len({c.name for c in VINTED_COLORS}) == 28
    assert next(c for c in VINTED_COLORS if c.name == "Multicolore").hex is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nero", ["Nero"]),
        ("Black", ["Nero"]),
        ("blu navy", ["Blu navy"]),
        ("navy blue", ["Blu navy"]),
        ("verde scuro/oro", ["Verde scuro", "Oro"]),
        ("grigio e bianco", ["Grigio", "Bianco"]),
        (["light blue", "celeste"], ["Azzurro"]),
        (["Bordò", "burgundy"], ["Bordeaux"]),
        ("rosa cipria", ["Rosa cipria"]),
        ("fucsia", ["Rosa"]),
        ("khaki", ["Kaki"]),
        ("panna", ["Crema"]),
        ("mustard", ["Senape"]),
        ("multicolor", ["Multicolore"]),
        ("Blu, Bianco, Rosso, Verde", ["Blu", "Bianco"]),  # capped at Vinted's two
        ("trasparente", []),
        (42, []),
    ],
)
def test_colours(value: object, expected: list[str]) -> None:
    assert normalise_colors(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Levi's ", "Levi's"),
        ('"Zara"', "Zara"),
        ("unknown", None),
        ("Sconosciuto", None),
        ("nessuno", None),
        ("N/A", None),
        ("non visibile", None),
        (None, None),
        (3, None),
    ],
)
def test_brands(value: object, expected: str | None) -> None:
    assert normalise_brand(value) == expected


def test_tags_lower_dedupe_and_cap() -> None:
    assert normalise_tags(["Vintage", "vintage", " #Estate ", "x"]) == ["vintage", "estate"]
    assert normalise_tags("lana, inverno; caldo") == ["lana", "inverno", "caldo"]
    assert len(normalise_tags([f"tag{i}" for i in range(30)])) == 10


def _range(price: SuggestedPrice | None) -> tuple[str, str] | None:
    return (str(price.min), str(price.max)) if price else None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("25€",), ("25.00", "25.00")),
        (("20-30",), ("20.00", "30.00")),
        (("12,50 €",), ("12.50", "12.50")),
        (({"min": 30, "max": 20},), ("20.00", "30.00")),
        (([40, 25],), ("25.00", "40.00")),
        ((15, 10), ("10.00", "15.00")),
        ((None, None, "da 8 a 12 euro"), ("8.00", "12.00")),
        ((99999,), ("5000.00", "5000.00")),
        ((0.1, 3), ("0.50", "3.00")),
        ((0,), None),
        (("gratis",), None),
        ((None,), None),
    ],
)
def test_prices(values: tuple[object, ...], expected: tuple[str, str] | None) -> None:
    assert _range(parse_price(*values)) == expected


def test_suggested_price_rounds_to_cents_and_rejects_reversed() -> None:
    assert SuggestedPrice(min=Decimal("1.005"), max=2).min == Decimal("1.01")
    with pytest.raises(ValueError):
        SuggestedPrice(min=5, max=1)


# --- categories -----------------------------------------------------------------------------------


def test_committed_catalogs() -> None:
    catalogs = load_catalogs()
    assert len(catalogs) == 1045  # 1,046 in the snapshot, minus the orphan "Other bags" (1120)
    roots = sorted(c.title for c in catalogs.values() if c.parent is None)
    assert roots == ["Entertainment", "Home", "Kids", "Men", "Pet care", "Women"]
    assert catalogs[1908].path == "Women > Clothes > Outerwear > Jackets"
    for catalog in catalogs.values():
        assert catalog.path.endswith(catalog.title)
        if catalog.parent is not None:
            assert catalogs[catalog.parent].path + " > " + catalog.title == catalog.path


def test_every_keyword_target_exists() -> None:
    paths = _by_path()
    missing = [
        path for keyword in KEYWORDS for path in keyword.targets.values() if path.casefold() not in paths
    ]
    assert missing == []


def test_build_script_derives_paths_and_flags_orphans() -> None:
    source = {
        "catalogs": {
            "1904": {"id": 1904, "title": "Women", "parent_id": 0},
            "4": {"id": 4, "title": "Clothes", "parent_id": 1904},
            "1120": {"id": 1120, "title": "Other bags", "parent_id": 1032},
        }
    }
    rows = {row["id"]: row for row in derive(source)}
    assert rows[4] == {"id": 4, "title": "Clothes", "path": "Women > Clothes", "parent": 1904}
    assert rows[1904]["parent"] is None
    assert rows[1120]["orphan"] is True


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("giacca", "Women > Clothes > Outerwear > Jackets"),
        ("giubbotto uomo", "Men > Clothes > Outerwear > Jackets"),
        ("giacca di jeans", "Women > Clothes > Outerwear > Jackets > Denim jackets"),
        ("Denim jacket", "Women > Clothes > Outerwear > Jackets > Denim jackets"),
        ("jeans uomo", "Men > Clothes > Jeans"),
        ("maglione bambina", "Kids > Girls clothing > Jumpers & hoodies > Jumpers"),
        ("camicia", "Women > Clothes > Tops & t-shirts > Shirts"),
        ("vestito", "Women > Clothes > Dresses"),
        ("abito da uomo", "Men > Clothes > Suits & blazers"),
        ("gonna", "Women > Clothes > Skirts"),
        ("scarpe", "Women > Shoes"),
        ("sneakers uomo", "Men > Shoes > Trainers"),
        ("stivali", "Women > Shoes > Boots"),
        ("borsa", "Women > Bags > Handbags"),
        ("borsa a tracolla", "Women > Bags > Shoulder Bags"),
        ("t-shirt", "Women > Clothes > Tops & t-shirts > T-shirts"),
        ("maglietta bambino", "Kids > Boys clothing > Tops & T-shirts > T-shirts"),
        ("pantaloni", "Women > Clothes > Trousers & leggings"),
        ("felpa con cappuccio", "Women > Clothes > Jumpers & sweaters > Hoodies & sweatshirts"),
        ("cappotto", "Women > Clothes > Outerwear > Coats"),
        ("giocattolo", "Kids > Toys & games"),
        ("peluche", "Kids > Toys & games > Soft toys & stuffed animals"),
        ("libro", "Entertainment > Books"),
        ("libro per bambini", "Entertainment > Books > Kids & young adults"),
        ("piatti", "Home > Tableware > Dinnerware > Plates"),
        ("servizio di piatti in porcellana", "Home > Tableware > Dinnerware > Dinner sets"),
        ("Men > Shoes > Trainers", "Men > Shoes > Trainers"),
        ("Handbags", "Women > Bags > Handbags"),  # fuzzy on the English titles
        ("Cardigans", "Women > Clothes > Jumpers & sweaters > Cardigans"),
        ("un oggetto misterioso", None),
        ("", None),
    ],
)
def test_category_matching(words: str, expected: str | None) -> None:
    found = match_category(words)
    assert (found.path if found else None) == expected


def test_context_helps_with_audience_and_missing_words() -> None:
    found = match_category("felpa", "Felpa Nike da uomo")
    assert found is not None and found.root == "Men"
    found = match_category(None, "Stivali in pelle", "Stivali da bambina, taglia 30")
    assert found is not None and found.path == "Kids > Girls clothing > Shoes > Boots"


@pytest.mark.parametrize(
    ("text", "audience"),
    [("per donna", "women"), ("Uomo", "men"), ("bambina", "girls"), ("bimbi", "boys"), ("giacca", None)],
)
def test_audience(text: str, audience: str | None) -> None:
    assert detect_audience(text) == audience


@pytest.mark.parametrize(
    ("words", "path_it"),
    [
        # vinted.it's own path, as the review page shows it (a model may echo it back).
        (
            "Donna > Abbigliamento > Capispalla > Giacche > Giacche biker e racer",
            "Donna > Abbigliamento > Capispalla > Giacche > Giacche biker e racer",
        ),
        # An Italian catalog title no keyword covers.
        ("portachiavi", "Donna > Accessori > Portachiavi"),
    ],
)
def test_the_model_s_italian_category_words_find_vinted_s_catalog(words, path_it):
    found = match_category(words)
    assert found is not None and found.path_it == path_it
