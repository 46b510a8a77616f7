"""Match a model's free words ("giubbotto di jeans da donna") to a catalog of Vinted's taxonomy.

Order of attempts: an exact Vinted path (a good model may answer "Women > Clothes > Jeans"), then the
Italian keyword table (``category_keywords``), then a fuzzy match of the words on the English catalog
titles. The audience (women, men, girls, boys) comes from words such as donna/uomo/bambina; without one,
clothes go to Women, Vinted's largest root. Nothing convincing → None: the user picks the category.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from vinted_optimizer.ai.category_keywords import KEYWORDS
from vinted_optimizer.vocabulary.catalog import Catalog, load_catalogs
from vinted_optimizer.vocabulary.text import fold

ROOT_FOR_AUDIENCE = {"women": "Women", "men": "Men", "girls": "Kids", "boys": "Kids"}
AUDIENCE_FALLBACK = {
    "women": ("women", "any", "men", "girls", "boys"),
    "men": ("men", "any", "women", "boys", "girls"),
    "girls": ("girls", "boys", "any", "women", "men"),
    "boys": ("boys", "girls", "any", "men", "women"),
}
# Checked kids first: "ragazza" alone is a young woman, "bambina" a girl.
_AUDIENCE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "girls",
        ("bambina", "bambine", "bimba", "bimbe", "neonata", "ragazzina", "girl", "girls", "per lei bambina"),
    ),
    (
        "boys",
        (
            "bambino",
            "bambini",
            "bimbo",
            "bimbi",
            "neonato",
            "neonati",
            "ragazzino",
            "boy",
            "boys",
            "kid",
            "kids",
            "baby",
            "child",
            "children",
            "infant",
        ),
    ),
    (
        "women",
        (
            "donna",
            "donne",
            "femminile",
            "femminili",
            "woman",
            "women",
            "womens",
            "lady",
            "ladies",
            "ragazza",
            "signora",
            "female",
        ),
    ),
    ("men", ("uomo", "uomini", "maschile", "maschili", "man", "men", "mens", "ragazzo", "male", "gentleman")),
)
MIN_FUZZY_RATIO = 0.86


@cache
def _by_path() -> dict[str, Catalog]:
    """A full path, in English (as recorded) or in Italian (as vinted.it shows it)."""
    catalogs = load_catalogs().values()
    return {**{c.path.casefold(): c for c in catalogs}, **{c.path_it.casefold(): c for c in catalogs}}


def _pattern(word: str) -> str:
    prefix = word.endswith("*")
    word = fold(word.rstrip("*")).replace("-", " ")
    return r"\b" + re.escape(word) + (r"\w*" if prefix else r"\b")


@cache
def _keyword_patterns() -> tuple[tuple[re.Pattern[str], int, dict[str, str]], ...]:
    compiled = []
    for keyword in KEYWORDS:
        for word in keyword.words:
            compiled.append((re.compile(_pattern(word)), word.count(" ") + 1, keyword.targets))
    return tuple(compiled)


def detect_audience(*texts: str | None) -> str | None:
    for text in texts:
        if not text:
            continue
        folded = fold(text).replace("-", " ")
        for audience, words in _AUDIENCE_WORDS:
            if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in words):
                return audience
    return None


def _resolve(targets: dict[str, str], audience: str | None) -> Catalog | None:
    paths = _by_path()
    for candidate in AUDIENCE_FALLBACK[audience or "women"]:
        if candidate in targets:
            return paths.get(targets[candidate].casefold())
    return None


def _keyword_match(text: str, audience: str | None) -> Catalog | None:
    folded = fold(text).replace("-", " ")
    best: tuple[int, int, dict[str, str]] | None = None
    for pattern, words, targets in _keyword_patterns():
        found = pattern.search(folded)
        if found is None:
            continue
        # More words = more specific ("giacca di jeans"); then the first noun, Italian puts it first.
        rank = (-words, found.start())
        if best is None or rank < (best[0], best[1]):
            best = (rank[0], rank[1], targets)
    return _resolve(best[2], audience) if best else None


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


@cache
def _titles() -> dict[str, tuple[Catalog, ...]]:
    grouped: dict[str, list[Catalog]] = {}
    for catalog in load_catalogs().values():
        # The English title and vinted.it's Italian one: the model answers in either language.
        for title in {catalog.title, catalog.title_it}:
            key = " ".join(_singular(w) for w in fold(title.replace("&", " ")).split())
            grouped.setdefault(key, []).append(catalog)
    return {k: tuple(v) for k, v in grouped.items()}


def _fuzzy_match(text: str, audience: str | None) -> Catalog | None:
    words = [_singular(w) for w in fold(text).replace("-", " ").split()]
    phrases = [" ".join(words[i : i + n]) for n in (3, 2, 1) for i in range(len(words) - n + 1)]
    titles = _titles()
    for phrase in phrases:
        if len(phrase) < 4:
            continue
        close = difflib.get_close_matches(phrase, titles.keys(), n=1, cutoff=MIN_FUZZY_RATIO)
        if close:
            return _prefer_root(titles[close[0]], audience)
    return None


def _prefer_root(candidates: tuple[Catalog, ...], audience: str | None) -> Catalog:
    wanted = ROOT_FOR_AUDIENCE.get(audience or "women")
    kids_word = {"girls": "Girls", "boys": "Boys"}.get(audience or "")

    def score(catalog: Catalog) -> tuple[int, int, int]:
        return (
            0 if catalog.root == wanted else 1,
            0 if kids_word is None or kids_word in catalog.path else 1,
            catalog.depth,
        )

    return min(candidates, key=score)


def match_category(category: str | None, *context: str | None) -> Catalog | None:
    """The catalog for the model's ``category`` words; ``context`` (title, description) helps with the
    audience and is searched only when the category words alone match nothing."""
    audience = detect_audience(category, *context)
    texts = [t for t in (category, *context) if t and t.strip()]
    for text in texts[:1]:
        exact = _by_path().get(text.strip().casefold())
        if exact:
            return exact
    for text in texts:
        found = _keyword_match(text, audience)
        if found:
            return found
    for text in texts[:2]:  # fuzzy on a long description would find something in any sentence
        found = _fuzzy_match(text, audience)
        if found:
            return found
    return None
