"""Every kind of broken model output still becomes a valid, normalised Analysis."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.fakes.ollama import (
    ANSWER_CLEAN,
    ANSWER_FENCED,
    ANSWER_GARBAGE,
    ANSWER_SINGLE_QUOTES,
    ANSWER_TRUNCATED,
)
from vinted_optimizer.ai.parsing import extract_json, parse_analysis
from vinted_optimizer.ai.schemas import MAX_TITLE_CHARS, Analysis

MODEL = "moondream"


def price_of(analysis: Analysis) -> tuple[Decimal, Decimal] | None:
    price = analysis.suggested_price
    return (price.min, price.max) if price else None


def test_fenced_json_with_prose_and_trailing_commas() -> None:
    extracted = extract_json(ANSWER_FENCED)
    assert extracted.data is not None and extracted.repaired
    analysis = parse_analysis(ANSWER_FENCED, model=MODEL)
    assert analysis.title == "Giacca di jeans Levi's donna"
    assert analysis.category == "Donna > Abbigliamento > Capispalla > Giacche > Giacche di jeans"
    assert analysis.category_id == 1079
    assert analysis.brand == "Levi's"
    assert analysis.condition == "very_good"
    assert analysis.colors == ["Blu", "Azzurro"]
    assert analysis.tags == ["jeans", "levis", "giacca", "denim"]  # lower-cased, deduplicated
    assert price_of(analysis) == (Decimal("25.00"), Decimal("35.00"))
    assert analysis.model == MODEL
    assert 0 < analysis.confidence < 1


def test_single_quotes_and_italian_free_values() -> None:
    analysis = parse_analysis(ANSWER_SINGLE_QUOTES, model=MODEL)
    assert analysis.category == "Uomo > Abbigliamento > Maglioni e pullover > Maglioni"
    assert analysis.brand is None  # "sconosciuto"
    assert analysis.condition == "good"
    assert analysis.colors == ["Grigio", "Bianco"]
    assert analysis.tags == ["lana", "inverno", "maglione"]
    assert analysis.suggested_price is not None
    assert analysis.suggested_price.min == analysis.suggested_price.max == Decimal("15.00")


def test_truncated_output_keeps_whole_fields_and_costs_confidence() -> None:
    truncated = parse_analysis(ANSWER_TRUNCATED, model=MODEL, truncated=True)
    assert truncated.category == "Uomo > Scarpe > Sneakers"
    assert truncated.brand == "Nike"
    assert truncated.colors == ["Bianco"]
    # The description was cut mid-word: only the whole sentences stay.
    assert truncated.description == "Sneakers Nike bianche, taglia 42."
    whole = parse_analysis(ANSWER_TRUNCATED + 'ora buona."}', model=MODEL)
    assert truncated.confidence < whole.confidence


def test_truncated_inside_a_list_drops_the_cut_item() -> None:
    text = '{"title": "Borsa", "category": "borsa", "tags": ["pelle", "vintage", "trac'
    analysis = parse_analysis(text, model=MODEL, truncated=True)
    assert analysis.tags == ["pelle", "vintage"]
    assert analysis.category == "Donna > Borse > Borse a mano"


def test_truncated_string_field_is_dropped_and_title_derived() -> None:
    text = '{"category": "giacca uomo", "brand": "Zara", "colors": ["nero"], "title": "Giacca nera Za'
    analysis = parse_analysis(text, model=MODEL, truncated=True)
    assert analysis.title == "Giacca uomo Zara nero"
    assert analysis.category == "Uomo > Abbigliamento > Capispalla > Giacche"


def test_garbage_gives_an_empty_analysis_with_zero_confidence() -> None:
    analysis = parse_analysis(ANSWER_GARBAGE, model=MODEL)
    assert analysis.confidence == 0
    assert analysis.title == "Articolo"
    assert analysis.category is None and analysis.brand is None and analysis.condition is None
    assert analysis.suggested_price is None and analysis.tags == [] and analysis.colors == []


@pytest.mark.parametrize("text", ["", "   ", "null", "[]", "{}"])
def test_empty_answers(text: str) -> None:
    analysis = parse_analysis(text, model=MODEL)
    assert analysis.category is None
    assert analysis.confidence <= 0.2


def test_prose_without_json_still_yields_category_and_colour() -> None:
    analysis = parse_analysis("La foto mostra un vestito rosso appeso a una porta.", model=MODEL)
    assert analysis.category == "Donna > Abbigliamento > Abiti"
    assert analysis.colors == ["Rosso"]
    assert 0 < analysis.confidence <= 0.2


def test_clean_json_is_not_marked_repaired() -> None:
    extracted = extract_json(ANSWER_CLEAN)
    assert extracted.data is not None and not extracted.repaired
    analysis = parse_analysis(ANSWER_CLEAN, model=MODEL)
    assert analysis.category == "Casa > Stoviglie > Piatti e servizi > Piatti"
    assert analysis.condition == "new_without_tags"
    assert analysis.brand is None


def test_italian_keys_and_nested_price() -> None:
    text = json.dumps(
        {
            "titolo": "Felpa con cappuccio Adidas",
            "categoria": "felpa bambino",
            "marca": "adidas",
            "condizioni": "Nuovo con cartellino",
            "descrizione": "Felpa blu navy, taglia 10 anni.",
            "prezzo": {"min": 30, "max": 18},
            "colori": "blu navy",
            "parole chiave": ["felpa", "adidas"],
        }
    )
    analysis = parse_analysis(text, model=MODEL)
    assert analysis.category == (
        "Bambini > Abbigliamento bambino > Maglioni e felpe > Felpe e felpe con cappuccio"
    )
    assert analysis.brand == "adidas"
    assert analysis.condition == "new_with_tags"
    assert analysis.colors == ["Blu navy"]
    assert price_of(analysis) == (Decimal("18.00"), Decimal("30.00"))
    assert analysis.tags == ["felpa", "adidas"]


@pytest.mark.parametrize(("given", "expected"), [(0.9, 0.9), (85, 0.85), ("70%", 0.7), (1.5, 0.015)])
def test_confidence_from_the_model(given: object, expected: float) -> None:
    text = json.dumps({"title": "Libro", "category": "libro", "confidence": given})
    assert parse_analysis(text, model=MODEL).confidence == pytest.approx(expected)


def test_repair_lowers_a_model_given_confidence() -> None:
    text = "{'title': 'Libro', 'category': 'libro', 'confidence': 0.9,}"
    assert parse_analysis(text, model=MODEL).confidence == pytest.approx(0.9 * 0.85)


def test_first_object_of_several_and_long_titles() -> None:
    long_title = "Giacca " + "molto bella " * 12
    text = f'Risposta: {{"title": "{long_title}", "category": "giacca"}} e poi {{"title": "altro"}}'
    analysis = parse_analysis(text, model=MODEL)
    assert len(analysis.title) <= MAX_TITLE_CHARS
    assert analysis.title.startswith("Giacca molto bella")
    assert not analysis.title.endswith(" ")


def test_wrong_types_are_ignored_not_fatal() -> None:
    text = json.dumps(
        {
            "title": ["Gonna", "plissettata"],
            "category": 42,
            "brand": {"x": 1},
            "condition": True,
            "price_min": "boh",
            "price_max": None,
            "colors": 7,
            "tags": "a",
        }
    )
    analysis = parse_analysis(text, model=MODEL)
    assert analysis.title == "Gonna plissettata"
    assert analysis.category == "Donna > Abbigliamento > Gonne"  # found through the title
    assert analysis.brand is None and analysis.condition is None and analysis.suggested_price is None
    assert analysis.tags == []
