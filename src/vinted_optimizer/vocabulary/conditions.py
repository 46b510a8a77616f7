"""The five conditions Vinted accepts for an item, with Vinted's status ids and Italian labels."""

from __future__ import annotations

from typing import Literal, get_args

Condition = Literal["new_with_tags", "new_without_tags", "very_good", "good", "satisfactory"]
# From new to worn: the order matters (a tie between two photos goes to the worse condition).
CONDITIONS: tuple[Condition, ...] = get_args(Condition)

# Vinted's status ids (ThalosES/vinted-rs `ArticleStatus`): the order of the ids is not the order of wear.
CONDITION_STATUS_IDS: dict[Condition, int] = {
    "new_with_tags": 6,
    "new_without_tags": 1,
    "very_good": 2,
    "good": 3,
    "satisfactory": 4,
}
# The labels vinted.it shows.
CONDITION_LABELS_IT: dict[Condition, str] = {
    "new_with_tags": "Nuovo con cartellino",
    "new_without_tags": "Nuovo senza cartellino",
    "very_good": "Ottime condizioni",
    "good": "Buone condizioni",
    "satisfactory": "Discrete condizioni",
}
# The short forms vinted.it shows in search results (``item_box.second_line``: "41 · Buone").
CONDITION_SHORT_LABELS_IT: dict[Condition, str] = {
    "new_with_tags": "Nuovo con cartellino",
    "new_without_tags": "Nuovo senza cartellino",
    "very_good": "Ottime",
    "good": "Buone",
    "satisfactory": "Discrete",
}


def _key(label: str) -> str:
    return " ".join(label.casefold().split())


_BY_LABEL_IT: dict[str, Condition] = {
    _key(label): condition
    for labels in (CONDITION_LABELS_IT, CONDITION_SHORT_LABELS_IT)
    for condition, label in labels.items()
}


def condition_from_label_it(label: str) -> Condition | None:
    """The condition an Italian label names, long ("Buone condizioni") or short ("Buone"), any case."""
    return _BY_LABEL_IT.get(_key(label))
