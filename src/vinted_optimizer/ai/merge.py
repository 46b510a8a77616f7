"""One analysis from several photos of the same item, each analysed on its own.

moondream reads one image per request well, so every photo gets its own answer; the answers disagree
(the label photo shows the brand, the front photo the category). The merge:

- category, brand, size, material: a vote weighted by each answer's confidence (ties: the more
  confident answer);
- condition: the same vote, but a tie goes to the *worse* condition — overstating wear is what buyers
  complain about, so the honest side wins;
- title and description: from the most confident answer that has them;
- price: median of the minimums and median of the maximums (one wild answer does not move it);
- colours and tags: union, most frequent first (then first seen), capped;
- confidence: the mean confidence times the share of answers agreeing on the chosen category;
- sources: each field's source is the source of the answer its value was taken from.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from vinted_optimizer.ai.schemas import MAX_COLORS, MAX_TAGS, Analysis, FieldSource, SuggestedPrice
from vinted_optimizer.vocabulary import CONDITIONS, Condition

K = TypeVar("K", bound=Hashable)


def _vote(
    analyses: Sequence[Analysis], key: Callable[[Analysis], K | None], tie_break: Callable[[K], float]
) -> K | None:
    weights: dict[K, float] = defaultdict(float)
    for analysis in analyses:
        value = key(analysis)
        if value is not None:
            weights[value] += max(analysis.confidence, 0.01)  # a zero-confidence answer still counts a bit
    if not weights:
        return None
    return max(weights, key=lambda value: (round(weights[value], 6), tie_break(value)))


def _ranked_union(lists: Sequence[Sequence[str]], limit: int) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    first_seen: dict[str, int] = {}
    for items in lists:
        for item in items:
            counts[item] += 1
            first_seen.setdefault(item, len(first_seen))
    ranked = sorted(counts, key=lambda item: (-counts[item], first_seen[item]))
    return ranked[:limit]


def _median_price(analyses: Sequence[Analysis]) -> SuggestedPrice | None:
    prices = [a.suggested_price for a in analyses if a.suggested_price is not None]
    if not prices:
        return None
    low = statistics.median_low([p.min for p in prices])
    high = statistics.median_high([p.max for p in prices])
    return SuggestedPrice(min=min(low, high), max=max(low, high))


def _voted_text(
    analyses: Sequence[Analysis], by_confidence: Sequence[Analysis], field: str
) -> Analysis | None:
    """The most confident answer holding the value that the weighted vote on ``field`` chose."""

    def key(analysis: Analysis) -> str | None:
        value = getattr(analysis, field)
        return value.casefold() if value else None

    chosen = _vote(analyses, key, lambda v: max(a.confidence for a in analyses if key(a) == v))
    return next((a for a in by_confidence if chosen is not None and key(a) == chosen), None)


def merge_analyses(analyses: Sequence[Analysis]) -> Analysis:
    if not analyses:
        raise ValueError("nothing to merge")
    if len(analyses) == 1:
        return analyses[0]
    by_confidence = sorted(analyses, key=lambda a: a.confidence, reverse=True)

    category_id = _vote(
        analyses,
        lambda a: a.category_id,
        lambda cid: max(a.confidence for a in analyses if a.category_id == cid),
    )
    category = next((a.category for a in analyses if a.category_id == category_id), None)
    brand_from = _voted_text(analyses, by_confidence, "brand")
    size_from = _voted_text(analyses, by_confidence, "size")
    material_from = _voted_text(analyses, by_confidence, "material")
    # CONDITIONS is ordered from new to worn: a higher index wins a tie.
    condition: Condition | None = _vote(analyses, lambda a: a.condition, lambda c: CONDITIONS.index(c))

    # The title/description should describe the chosen category, so prefer answers that agree with it.
    agreeing = [a for a in by_confidence if a.category_id == category_id] or by_confidence
    title = agreeing[0].title
    description_from = next((a for a in agreeing if a.description), None)
    colors = _ranked_union([a.colors for a in by_confidence], MAX_COLORS)
    taken_from: dict[str, Analysis | None] = {
        "title": agreeing[0],
        "description": description_from,
        "category": next((a for a in by_confidence if a.category_id == category_id), None),
        "brand": brand_from,
        "condition": next((a for a in by_confidence if a.condition == condition), None),
        "size": size_from,
        "material": material_from,
        "colors": next((a for a in by_confidence if a.colors), None),
        "price": next((a for a in by_confidence if a.suggested_price is not None), None),
    }
    sources: dict[str, FieldSource] = {
        field: source.sources[field]
        for field, source in taken_from.items()
        if source is not None and field in source.sources
    }

    agreement = sum(1 for a in analyses if a.category_id == category_id) / len(analyses)
    if category_id is None:
        agreement = 0.5  # nobody recognised the item
    confidence = statistics.fmean(a.confidence for a in analyses) * agreement
    return Analysis(
        title=title,
        category=category,
        category_id=category_id,
        brand=brand_from.brand if brand_from else None,
        condition=condition,
        description=description_from.description if description_from else "",
        suggested_price=_median_price(analyses),
        tags=_ranked_union([a.tags for a in by_confidence], MAX_TAGS),
        colors=colors,
        size=size_from.size if size_from else None,
        material=material_from.material if material_from else None,
        sources=sources,
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        model=analyses[0].model,
    )
