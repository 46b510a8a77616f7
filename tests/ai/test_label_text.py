"""From words to Vinted's values: sizes, fibre compositions, brands on labels; Vinted's materials."""

from __future__ import annotations

import pytest

from vinted_optimizer.ai.brands import COMMON_BRANDS, brand_on_label
from vinted_optimizer.ai.materials import composition, material_on_label, normalise_material
from vinted_optimizer.ai.sizes import ONE_SIZE, normalise_size, size_in_text, size_on_label
from vinted_optimizer.vocabulary.materials import MATERIAL_BY_NAME, VINTED_MATERIALS


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("M", "M"),
        ("taglia M", "M"),
        ("Taglia: xl", "XL"),
        ("Tg. 42", "42"),
        ("42", "42"),
        (42, "42"),
        ("EU 38", "38"),
        ("IT 44", "IT 44"),
        ("UK 10", "UK 10"),
        ("2XL", "XXL"),
        ("38.5", "38,5"),
        ("one size", ONE_SIZE),
        ("Taglia unica", ONE_SIZE),
        ("8 anni", "8 anni"),
        ("12 mesi", "12 mesi"),
        ("non visibile", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_the_models_size_is_normalised(given: object, expected: str | None) -> None:
    assert normalise_size(given) == expected


def test_a_size_in_running_text_needs_a_keyword_or_a_system() -> None:
    assert size_in_text("Giacca di jeans Levi's taglia M") == "M"
    assert size_in_text("Sneakers Nike bianche, EU 42, poco usate") == "42"
    assert size_in_text("Maglione M&S in lana") is None  # a bare letter is no size
    assert size_in_text("Giacca oversize nera") is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["TAGLIA M", "80% COTONE"], "M"),
        (["TAGLIAM", "80%COTONE"], "M"),  # OCR drops the spaces
        (["SIZE XL"], "XL"),
        (["TG. 42"], "42"),
        (["IT 44", "EU 40", "UK 12"], "40"),  # Vinted's own system first
        (["EUR M"], "M"),
        (["XS"], "XS"),  # a letter on its own line
        (["MADE IN ITALY", "IT 42"], "IT 42"),  # not the "IT" of ITALY
        (["GRS CERTIFIED", "100% RECYCLED"], None),
        (["OVERSIZE FIT"], None),
    ],
)
def test_sizes_on_labels(lines: list[str], expected: str | None) -> None:
    assert size_on_label(lines) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["80% COTONE", "20% POLIESTERE"], "Cotone"),
        (["20%POLIESTERE", "80%COTONE"], "Cotone"),  # the larger share, whatever the order
        (["100% cotton"], "Cotone"),
        (["55% lin 45% coton"], "Lino"),
        (["COTONE 60% POLIESTERE 40%"], "Cotone"),
        (["80% COTONE/COTTON/COTON", "20% ELASTAN/ELASTANE"], "Cotone"),
        (["ESTERNO 100% POLIESTERE", "FODERA 100% VISCOSA"], "Poliestere"),  # the lining is not the item
        (["100% LANA MERINO"], "Lana merino"),
        (["70% POLIAMMIDE 30% ELASTAN"], "Nylon"),  # Vinted calls polyamide "Nylon"
        (["60% MODAL 40% COTONE"], None),  # Vinted lists no modal: nothing rather than a wrong material
        (["VERA PELLE"], "Pelle"),
        (["LAVARE A 30°", "MADE IN ITALY"], None),
    ],
)
def test_materials_on_labels(lines: list[str], expected: str | None) -> None:
    assert material_on_label(lines) == expected


def test_composition_keeps_each_fibres_share() -> None:
    assert composition(["80% COTONE", "80% COTTON", "20% POLIESTERE"]) == {"Cotone": 80, "Poliestere": 20}


def test_the_models_material_word() -> None:
    assert normalise_material("cotone") == "Cotone"
    assert normalise_material("Wool") == "Lana"
    assert normalise_material("Similpelle") == "Similpelle"
    assert normalise_material("100% lino") == "Lino"
    assert normalise_material("boh") is None


def test_brands_on_labels() -> None:
    candidates = ["levis", *COMMON_BRANDS]
    assert brand_on_label(["LEVI'S", "W32L34"], candidates) == "levis"  # the model's spelling first
    assert brand_on_label(["LEVISTRAUSS&CO"], list(COMMON_BRANDS)) == "Levi's"
    assert brand_on_label(["H8M", "EUR M"], list(COMMON_BRANDS)) == "H&M"  # "&" read as "8"
    assert brand_on_label(["UNITED COLORS OF BENETTON"], list(COMMON_BRANDS)) == "Benetton"
    assert brand_on_label(["MADEINITALY", "DRYCLEANONLY", "SINGAPORE"], list(COMMON_BRANDS)) is None
    assert brand_on_label(["SARTORIA ROSSI"], list(COMMON_BRANDS)) is None
    assert brand_on_label(["SARTORIA ROSSI"], ["Sartoria Rossi"]) == "Sartoria Rossi"


def test_vinted_materials_have_unique_ids_and_italian_names() -> None:
    assert len(VINTED_MATERIALS) == 54
    assert len({m.id for m in VINTED_MATERIALS}) == len(VINTED_MATERIALS)
    assert len(MATERIAL_BY_NAME) == len(VINTED_MATERIALS)
    assert MATERIAL_BY_NAME["Cotone"].id == 44 and MATERIAL_BY_NAME["Poliestere"].id == 45
