"""From the vision model's raw text to a valid ``Analysis``, whatever the model wrote.

Small models wrap JSON in ```json fences, add a sentence before and after, use single quotes, leave
trailing commas, or stop mid-string when ``num_predict`` runs out (``done_reason: "length"``). The text
is cut to the JSON candidate, parsed strictly if possible and repaired with ``json_repair`` otherwise;
every field is then validated leniently (a bad field becomes empty, never an error) and normalised to
Vinted's vocabulary. Repairs and truncation lower the confidence, so the dashboard can say "check me".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import json_repair
import structlog

from vinted_optimizer.ai.catalog import match_category
from vinted_optimizer.ai.colors import normalise_colors
from vinted_optimizer.ai.materials import normalise_material
from vinted_optimizer.ai.normalise import (
    fold,
    normalise_brand,
    normalise_condition,
    normalise_tags,
    parse_price,
)
from vinted_optimizer.ai.schemas import MAX_TITLE_CHARS, Analysis, FieldSource
from vinted_optimizer.ai.sizes import normalise_size, size_in_text

log = structlog.get_logger(__name__)

_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)(?:```|$)", re.DOTALL)
MAX_DESCRIPTION_CHARS = 2000
REPAIRED_PENALTY = 0.85
TRUNCATED_PENALTY = 0.7
NO_JSON_CONFIDENCE_CAP = 0.2

# Keys a model may use instead of the ones the prompt asked for (folded: lower case, no accents).
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "titolo", "name", "nome", "titolo annuncio"),
    "category": ("category", "categoria", "tipo", "type", "item", "oggetto", "articolo", "product"),
    "brand": ("brand", "marca", "marchio", "label"),
    "condition": ("condition", "condizione", "condizioni", "stato", "status", "state"),
    "description": ("description", "descrizione", "desc", "dettagli"),
    "price_min": ("price min", "prezzo min", "min price", "prezzo minimo", "minimo"),
    "price_max": ("price max", "prezzo max", "max price", "prezzo massimo", "massimo"),
    "price": ("price", "prezzo", "suggested price", "prezzo suggerito", "prezzo consigliato", "price range"),
    "size": ("size", "taglia", "misura", "taille"),
    "material": ("material", "materiale", "materials", "materiali", "tessuto", "fabric", "composizione"),
    "colors": ("colors", "colours", "color", "colour", "colori", "colore"),
    "tags": ("tags", "tag", "keywords", "parole chiave", "hashtag", "hashtags"),
    "confidence": ("confidence", "confidenza", "affidabilita", "sicurezza", "certainty"),
}
_KEY_LOOKUP = {alias: canonical for canonical, aliases in _ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class ExtractedJSON:
    data: dict[str, Any] | None
    repaired: bool = False  # strict JSON parsing failed and json_repair was needed
    last_key: str | None = None  # the key written last: the one a truncation cut


def _first_object(value: object) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        for item in value:
            found = _first_object(item)
            if found is not None:
                return found
    return None


def extract_json(text: str) -> ExtractedJSON:
    """The first JSON object in ``text`` (fenced or not, complete or truncated), or ``data=None``."""
    if not text or not text.strip():
        return ExtractedJSON(None)
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced and "{" in fenced.group(1) else text
    start = body.find("{")
    if start < 0:
        return ExtractedJSON(None)
    end = body.rfind("}")
    if end > start:
        try:
            parsed = json.loads(body[start : end + 1])
        except ValueError:
            pass
        else:
            found = _first_object(parsed)
            if found is not None:
                return ExtractedJSON(found, repaired=False, last_key=_last_key(found))
    # Repair from the first brace to the end: cutting at the last "}" would drop a truncated tail.
    try:
        repaired = json_repair.loads(body[start:])
    except Exception:  # noqa: BLE001 - the repair library must never break an analysis
        log.warning("ai.parse.repair_failed")
        return ExtractedJSON(None)
    found = _first_object(repaired)
    if not found:
        return ExtractedJSON(None)
    return ExtractedJSON(found, repaired=True, last_key=_last_key(found))


def _last_key(data: dict[str, Any]) -> str | None:
    return next(reversed(data), None) if data else None


def canonical_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Rename known aliases to the prompt's keys; the first occurrence of a field wins."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        canonical = _KEY_LOOKUP.get(fold(str(key)).replace("-", " "))
        if canonical and canonical not in out:
            out[canonical] = value
    return out


def _drop_truncated_tail(fields: dict[str, Any], last_key: str | None) -> None:
    """The value written last was cut mid-way: keep what is whole, drop the rest."""
    canonical = _KEY_LOOKUP.get(fold(last_key).replace("-", " ")) if last_key else None
    if canonical is None or canonical not in fields:
        return
    value = fields[canonical]
    if isinstance(value, list):
        fields[canonical] = value[:-1]
    elif canonical == "description" and isinstance(value, str):
        sentence_end = max(value.rfind("."), value.rfind("!"), value.rfind("?"))
        fields[canonical] = value[: sentence_end + 1] if sentence_end > 0 else ""
    else:
        del fields[canonical]


def _text(value: object, limit: int) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if isinstance(v, str | int | float))
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())[:limit].strip()


def _shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut or text[:limit]


def _confidence(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        match = re.search(r"\d+(?:[.,]\d+)?", value)
        if not match:
            return None
        value = float(match.group().replace(",", "."))
    if not isinstance(value, int | float):
        return None
    number = float(value)
    if number > 1:
        number /= 100  # "85" or "85%"
    return min(max(number, 0.0), 1.0)


def _derive_title(category_words: str, brand: str | None, colors: list[str]) -> str:
    """Italian words only: the catalog titles are English, so without the model's words say "Articolo"."""
    head = category_words or "Articolo"
    parts = [head[:1].upper() + head[1:]]
    if brand and fold(brand) not in fold(head):
        parts.append(brand)
    if colors and fold(colors[0]) not in fold(head):
        parts.append(colors[0].lower())
    return _shorten(" ".join(parts))


def build_analysis(
    extracted: ExtractedJSON, *, model: str, truncated: bool = False, raw_text: str = ""
) -> Analysis:
    """Validate and normalise leniently; never raises on what the model wrote."""
    fields = canonical_fields(extracted.data) if extracted.data else {}
    if truncated:
        _drop_truncated_tail(fields, extracted.last_key)
    model_title = _text(fields.get("title"), 200)
    category_words = _text(fields.get("category"), 200)
    description = _text(fields.get("description"), MAX_DESCRIPTION_CHARS)
    if extracted.data is None:
        # No JSON at all: the model may still have named the item and its colours in a sentence.
        category_words = _text(raw_text, 300)
    catalog = match_category(category_words, model_title, description)
    brand = normalise_brand(fields.get("brand"))
    colors = normalise_colors(fields.get("colors") if extracted.data is not None else category_words)
    price = parse_price(fields.get("price_min"), fields.get("price_max"), fields.get("price"))
    condition = normalise_condition(fields.get("condition"))
    title = _shorten(model_title) if model_title else ""
    if not title:
        title = _derive_title(category_words if extracted.data is not None else "", brand, colors)
    # The size the model named, else one it wrote only in its own words ("Giacca Levi's taglia M").
    size = normalise_size(fields.get("size")) or size_in_text(model_title) or size_in_text(description)
    material = normalise_material(fields.get("material"))

    filled = [catalog, brand, condition, len(description) >= 20, price, colors, model_title]
    heuristic = 0.15 + 0.6 * sum(1 for f in filled if f) / len(filled)
    confidence = _confidence(fields.get("confidence"))
    confidence = heuristic if confidence is None else confidence
    if extracted.repaired:
        confidence *= REPAIRED_PENALTY
    if truncated:
        confidence *= TRUNCATED_PENALTY
    if extracted.data is None:
        confidence = min(confidence, NO_JSON_CONFIDENCE_CAP) if catalog or colors else 0.0

    filled_fields = {
        "title": model_title or (extracted.data is not None and category_words) or brand or colors,
        "description": description,
        "category": catalog,
        "brand": brand,
        "condition": condition,
        "size": size,
        "material": material,
        "colors": colors,
        "price": price,
    }
    sources: dict[str, FieldSource] = {name: "model" for name, value in filled_fields.items() if value}
    return Analysis(
        title=title,
        category=catalog.path_it if catalog else None,  # as Vinted.it names it
        category_id=catalog.id if catalog else None,
        brand=brand,
        condition=condition,
        description=description,
        suggested_price=price,
        tags=normalise_tags(fields.get("tags")),
        colors=colors,
        size=size,
        material=material,
        sources=sources,
        confidence=round(confidence, 3),
        model=model,
    )


def parse_analysis(text: str, *, model: str, truncated: bool = False) -> Analysis:
    extracted = extract_json(text)
    analysis = build_analysis(extracted, model=model, truncated=truncated, raw_text=text)
    log.info(
        "ai.parse",
        model=model,
        json_found=extracted.data is not None,
        repaired=extracted.repaired,
        truncated=truncated,
        category_id=analysis.category_id,
        confidence=analysis.confidence,
    )
    return analysis
