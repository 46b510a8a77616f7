"""The question put to the vision model, and the JSON Schema sent in Ollama's ``format``.

moondream (phi2, 2048-token context, ~730 tokens per image) follows short prompts and flat objects far
better than nested ones, so: one short Italian paragraph, flat keys, the price as two numbers, the
condition and colours as Vinted's own Italian words. Ollama turns the schema into a grammar, so models
that honour it cannot invent other values; ``parsing.py`` still repairs and normalises everything, because
not every model or Ollama version constrains the output.

Changing the prompt or the schema changes the answers: bump ``PROMPT_VERSION`` so the analysis cache
does not serve results produced by the old wording.
"""

from __future__ import annotations

from typing import Any

from vinted_optimizer.vocabulary import CONDITION_LABELS_IT, VINTED_COLORS

# 2: the draft's category is the Italian catalog path (cached answers carried the English one).
# 3: the size and the material are asked for; colours are at most two, the model's before the pixels'.
# 4: the cache keeps the model's answer and the labels' text (brands are matched on each hit), and the
#    category words also match vinted.it's Italian titles.
PROMPT_VERSION = "4"

VISION_OPTIONS: dict[str, Any] = {"temperature": 0.1, "num_predict": 500}

VISION_PROMPT = (
    "Sei un esperto di vendite su Vinted Italia. Guarda la foto dell'oggetto in vendita e rispondi solo "
    "con un oggetto JSON con queste chiavi: "
    '"title" (titolo breve in italiano, massimo 60 caratteri), '
    '"category" (che cosa è e per chi, es. "giacca di jeans donna", "scarpe da ginnastica uomo", '
    '"piatti in ceramica"), '
    "\"brand\" (marca leggibile sull'oggetto o sull'etichetta, altrimenti null), "
    '"condition" (una tra: ' + ", ".join(f'"{label}"' for label in CONDITION_LABELS_IT.values()) + "), "
    '"description" (2 o 3 frasi in italiano per l\'annuncio: materiale, stile, dettagli, difetti visibili), '
    '"price_min" e "price_max" (prezzo di vendita dell\'usato in euro, numeri), '
    '"size" (la taglia se si legge sull\'etichetta o sul cartellino, es. "M", "42", "Taglia unica", '
    "altrimenti null), "
    '"material" (materiale principale in italiano, es. "cotone", altrimenti null), '
    '"colors" (1 o 2 colori principali in italiano), '
    '"tags" (da 3 a 5 parole chiave in minuscolo). '
    "Non scrivere nient'altro."
)

VISION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "category": {"type": "string"},
        "brand": {"type": ["string", "null"]},
        "condition": {"type": "string", "enum": list(CONDITION_LABELS_IT.values())},
        "description": {"type": "string"},
        "price_min": {"type": "number"},
        "price_max": {"type": "number"},
        "size": {"type": ["string", "null"]},
        "material": {"type": ["string", "null"]},
        "colors": {
            "type": "array",
            "items": {"type": "string", "enum": [color.name for color in VINTED_COLORS]},
            "maxItems": 2,
        },
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
    },
    "required": [
        "title",
        "category",
        "brand",
        "condition",
        "description",
        "price_min",
        "price_max",
        "size",
        "material",
        "colors",
        "tags",
    ],
}
