"""A fibre composition ("80% COTONE 20% POLIESTERE", "100% cotton", "55% lin 45% coton") read onto
Vinted's materials (``vocabulary.materials``, Italian names).

Care labels repeat the composition in several languages, and OCR often drops the spaces between words
("80%COTONECOTTONCOTON"), so a fibre is recognised by the start of the word that follows (or precedes)
its percentage. The lining ("FODERA", "LINING", "DOUBLURE", "FORRO") is not the item's material: what
follows it is ignored. Fibres Vinted has no material for (modal, lyocell) are recognised so that they can
be the dominant one, and then no material is proposed rather than a wrong one.
"""

from __future__ import annotations

import re
import unicodedata

from vinted_optimizer.vocabulary.materials import MATERIAL_BY_NAME

# Folded words (lower case, no accents) → Vinted material name, or None for a fibre Vinted does not list.
_FIBRES: dict[str, str | None] = {
    **dict.fromkeys(("cotone", "cotton", "coton", "algodon", "baumwolle", "cotn"), "Cotone"),
    **dict.fromkeys(("poliestere", "polyester", "poliester", "polyestere"), "Poliestere"),
    **dict.fromkeys(("lana merino", "merino", "merinos"), "Lana merino"),
    **dict.fromkeys(("lana", "wool", "laine", "wolle", "lanavergine", "virgin wool"), "Lana"),
    **dict.fromkeys(("viscosa", "viscose", "rayon", "viskose"), "Viscosa"),
    **dict.fromkeys(("seta", "silk", "soie", "seda", "seide"), "Seta"),
    **dict.fromkeys(("poliammide", "polyamide", "poliamida", "polyamid", "nylon", "nailon"), "Nylon"),
    **dict.fromkeys(
        ("elastan", "elastane", "elasthanne", "elastano", "elastam", "spandex", "lycra", "elasthan"),
        "Elastan",
    ),
    **dict.fromkeys(("lino", "linen", "lin", "leinen"), "Lino"),
    **dict.fromkeys(("acrilico", "acrylic", "acrylique", "acrilica", "acryl"), "Acrilico"),
    **dict.fromkeys(("cashmere", "cachemire", "cachemira", "kaschmir"), "Cashmere"),
    **dict.fromkeys(("alpaca", "alpaga", "alpaka"), "Alpaca"),
    **dict.fromkeys(("mohair", "mohaire"), "Mohair"),
    **dict.fromkeys(("pelle", "leather", "cuir", "piel", "leder"), "Pelle"),
    **dict.fromkeys(("modal", "lyocell", "tencel", "cupro", "acetato", "acetate", "elastomultiestere"), None),
}
_LONGEST_FIRST = sorted(_FIBRES, key=len, reverse=True)
MIN_CUT_CHARS = 5
_LINING = re.compile(r"\b(?:fodera|lining|doublure|forro|futter)")
_PERCENT_WORD = re.compile(r"(\d{1,3})\s*%\s*([a-z][a-z ]*)")
_WORD_PERCENT = re.compile(r"([a-z]+)\s*(\d{1,3})\s*%")
# A material stated without a percentage, as leather goods and shoes say it.
_STATED = re.compile(r"\b(?:vera pelle|verapelle|genuine leather|real leather|cuir veritable|100 pelle)\b")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9% ]", " ", plain).split())


def _fibre(word: str) -> tuple[bool, str | None]:
    """(recognised, Vinted material) for the start of ``word``."""
    compact = word.replace(" ", "")
    for fibre in _LONGEST_FIRST:
        if compact.startswith(fibre.replace(" ", "")):
            return True, _FIBRES[fibre]
    # A word cut at the label's edge ("POLIESTE"), when long enough to name one fibre only.
    if len(compact) >= MIN_CUT_CHARS:
        cut = {_FIBRES[fibre] for fibre in _FIBRES if fibre.replace(" ", "").startswith(compact)}
        if len(cut) == 1:
            return True, cut.pop()
    return False, None


def composition(lines: list[str]) -> dict[str, int]:
    """Each recognised fibre's share in percent (the highest stated), the lining left out.

    The key is the Vinted material name, or "" for the fibres Vinted does not list.
    """
    folded = [_fold(line) for line in lines]
    shares: dict[str, int] = {}
    for line in folded:
        lining = _LINING.search(line)
        if lining:
            line = line[: lining.start()]
        # "80% COTONE" or "COTONE 80%": the reading that recognises more fibres.
        readings = (
            [(int(p), _fibre(w)) for p, w in _PERCENT_WORD.findall(line)],
            [(int(p), _fibre(w)) for w, p in _WORD_PERCENT.findall(line)],
        )
        best = max(readings, key=lambda pairs: sum(1 for _, (recognised, _m) in pairs if recognised))
        for percent, (recognised, material) in best:
            if recognised and 0 < percent <= 100:
                key = material or ""
                shares[key] = max(shares.get(key, 0), percent)
        if lining:
            break
    return shares


def material_on_label(lines: list[str]) -> str | None:
    """The dominant material's Vinted name, when the label clearly states one."""
    shares = composition(lines)
    if shares:
        dominant = max(shares, key=lambda name: shares[name])
        return dominant or None  # a fibre Vinted does not list: no material rather than a wrong one
    if _STATED.search(_fold(" ".join(lines))):
        return "Pelle"
    return None


def normalise_material(value: object) -> str | None:
    """A model's material word ("cotone", "Cotton", "100% lana") as a Vinted material name, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    stated = material_on_label([value])
    if stated:
        return stated
    folded = _fold(value)
    for name in MATERIAL_BY_NAME:
        if _fold(name) == folded:
            return name
    recognised, material = _fibre(folded)
    return material if recognised else None
