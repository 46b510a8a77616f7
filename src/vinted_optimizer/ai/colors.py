"""The words a model uses for Vinted's 28 colours (``vocabulary.colors``).

Models name colours freely ("navy blue", "blu scuro", "cipria"); a listing accepts only Vinted's list.
Longer phrases are matched first, so "verde scuro" is Verde scuro and not Verde.
"""

from __future__ import annotations

import re

from vinted_optimizer.ai.schemas import MAX_COLORS
from vinted_optimizer.vocabulary.text import fold

_COLOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Nero": ("nero", "nera", "neri", "nere", "black", "noir", "antracite scuro"),
    "Marrone": (
        "marrone",
        "marroni",
        "brown",
        "cioccolato",
        "cuoio",
        "cognac",
        "castano",
        "tabacco",
        "caramello",
        "testa di moro",
        "moka",
    ),
    "Grigio": ("grigio", "grigia", "grigi", "grigie", "grey", "gray", "antracite", "melange", "fumo"),
    "Beige": ("beige", "sabbia", "tan", "nude", "cammello", "camel", "tortora", "ecru", "greige"),
    "Rosa": ("rosa", "pink", "fucsia", "fuchsia", "magenta", "rosa shocking", "hot pink"),
    "Viola": ("viola", "purple", "violet", "prugna", "melanzana", "vinaccia"),
    "Rosso": ("rosso", "rossa", "rossi", "rosse", "red", "scarlatto", "ciliegia", "vermiglio"),
    "Giallo": ("giallo", "gialla", "gialli", "gialle", "yellow", "limone"),
    "Blu": ("blu", "blue", "bluette", "blu elettrico", "cobalto", "royal blue", "denim", "indaco"),
    "Verde": ("verde", "verdi", "green", "verde acido", "lime", "verde chiaro", "verde mela", "smeraldo"),
    "Arancione": ("arancione", "arancioni", "arancio", "orange", "mandarino", "ruggine", "terracotta"),
    "Bianco": ("bianco", "bianca", "bianchi", "bianche", "white", "blanc", "off white", "latte"),
    "Argento": ("argento", "argentato", "argentata", "silver", "metallizzato argento"),
    "Oro": ("oro", "dorato", "dorata", "gold", "golden"),
    "Multicolore": (
        "multicolore",
        "multicolor",
        "multicolour",
        "multi",
        "fantasia",
        "arcobaleno",
        "rainbow",
        "colorato",
        "colorata",
        "colorati",
        "variopinto",
        "stampa",
    ),
    "Kaki": ("kaki", "cachi", "khaki", "militare", "verde militare", "oliva", "verde oliva", "olive"),
    "Turchese": ("turchese", "turquoise", "acqua", "acquamarina", "petrolio", "ottanio", "teal"),
    "Crema": ("crema", "cream", "panna", "avorio", "ivory", "burro", "off-white"),
    "Albicocca": ("albicocca", "apricot", "pesca", "peach", "salmone", "salmon"),
    "Corallo": ("corallo", "coral"),
    "Bordeaux": ("bordeaux", "bordo", "burgundy", "vino", "amaranto", "granata", "marsala", "wine"),
    "Rosa cipria": (
        "rosa cipria",
        "cipria",
        "rosa antico",
        "rosa chiaro",
        "rosa pallido",
        "light pink",
        "pale pink",
        "baby pink",
        "rose",
        "rosa confetto",
        "blush",
    ),
    "Lilla": ("lilla", "lilac", "lavanda", "lavender", "glicine", "malva", "mauve"),
    "Azzurro": (
        "azzurro",
        "azzurra",
        "azzurri",
        "celeste",
        "light blue",
        "sky blue",
        "baby blue",
        "carta da zucchero",
        "azzurro cielo",
    ),
    "Blu navy": (
        "blu navy",
        "navy",
        "navy blue",
        "blu scuro",
        "blu notte",
        "dark blue",
        "marine",
        "blu marine",
        "blu marino",
    ),
    "Verde scuro": (
        "verde scuro",
        "dark green",
        "verde bottiglia",
        "verde foresta",
        "forest green",
        "bottle green",
        "verde petrolio",
    ),
    "Senape": ("senape", "mustard", "ocra", "ochre", "giallo senape"),
    "Menta": ("menta", "mint", "verde menta", "verde acqua", "mint green", "pistacchio"),
}
_COLOR_LOOKUP: dict[str, str] = {}
for _name, _words in _COLOR_SYNONYMS.items():
    _COLOR_LOOKUP[fold(_name)] = _name
    for _word in _words:
        _COLOR_LOOKUP.setdefault(fold(_word), _name)
_LONGEST_FIRST = sorted(_COLOR_LOOKUP, key=len, reverse=True)
_COLOR_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\be\b|\band\b|\bcon\b|\bwith\b)\s*")


def _colour_names_in(text: str) -> list[str]:
    phrase = fold(text)
    if phrase in _COLOR_LOOKUP:
        return [_COLOR_LOOKUP[phrase]]
    found: list[tuple[int, str]] = []
    taken = [False] * len(phrase)
    for key in _LONGEST_FIRST:  # "blu navy" before "blu", "verde scuro" before "verde"
        for match in re.finditer(rf"\b{re.escape(key)}\b", phrase):
            if not any(taken[match.start() : match.end()]):
                found.append((match.start(), _COLOR_LOOKUP[key]))
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
    return [name for _, name in sorted(found)]


def normalise_colors(value: object, *, limit: int = MAX_COLORS) -> list[str]:
    """Vinted colour names in the order the model gave them, without repeats, at most two (Vinted's limit;
    a multi-photo merge still votes, over each photo's two)."""
    items: list[str] = []
    if isinstance(value, str):
        items = [part for part in _COLOR_SPLIT.split(value) if part]
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value if isinstance(v, str | int | float)]
    out: list[str] = []
    for item in items:
        for name in _colour_names_in(item):
            if name not in out:
                out.append(name)
    return out[:limit]
