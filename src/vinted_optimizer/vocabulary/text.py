"""Text folding shared by every lookup table (the AI's and the catalog's): words meet in one form."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: the form every lookup table is keyed by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_]+", " ", re.sub(r"[^\w\s-]", " ", stripped)).strip()
