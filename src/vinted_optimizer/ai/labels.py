"""What the text of the labels in an item's photos says (brand, size, material), and how it corrects
the vision model's draft.

A printed label beats a guess: a size or a material a label clearly states replaces the model's, and a
known brand read on a label replaces the model's brand. A label that says the same as the model confirms
it; the field is then marked as read from the label, the stronger of the two witnesses. Several photos
with labels: the value most photos state wins (ties: the earlier photo).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vinted_optimizer.ai.brands import COMMON_BRANDS, brand_on_label
from vinted_optimizer.ai.materials import material_on_label
from vinted_optimizer.ai.schemas import Analysis, FieldSource
from vinted_optimizer.ai.sizes import size_on_label


@dataclass(frozen=True)
class LabelFacts:
    brand: str | None = None
    size: str | None = None
    material: str | None = None

    def __bool__(self) -> bool:
        return any((self.brand, self.size, self.material))


def brand_candidates(model_brands: Iterable[str | None], caller_brands: Iterable[str] = ()) -> list[str]:
    """The model's proposals first (their spelling wins), then the caller's, then the common list."""
    return [b for b in model_brands if b] + [b for b in caller_brands if b] + list(COMMON_BRANDS)


def _most_stated(values: Sequence[str | None]) -> str | None:
    present = [v for v in values if v]
    if not present:
        return None
    counts = Counter(present)
    return max(present, key=lambda v: (counts[v], -present.index(v)))


def read_labels(photos: Sequence[Sequence[str]], candidates: Sequence[str]) -> LabelFacts:
    """The facts the label text of all photos states (each photo read on its own)."""
    per_photo: list[tuple[str | None, str | None, str | None]] = [
        (brand_on_label(lines, candidates), size_on_label(list(lines)), material_on_label(list(lines)))
        for lines in photos
        if lines
    ]
    brands, sizes, materials = zip(*per_photo, strict=True) if per_photo else ((), (), ())
    return LabelFacts(brand=_most_stated(brands), size=_most_stated(sizes), material=_most_stated(materials))


def apply_label(analysis: Analysis, facts: LabelFacts) -> Analysis:
    if not facts:
        return analysis
    update: dict[str, object] = {}
    sources: dict[str, FieldSource] = dict(analysis.sources)
    for field in ("brand", "size", "material"):
        value = getattr(facts, field)
        if value:
            update[field] = value
            sources[field] = "label"
    update["sources"] = sources
    return analysis.model_copy(update=update)
