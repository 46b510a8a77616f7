"""Conditions from the Italian labels vinted.it shows: long on the item form, short in search results."""

from __future__ import annotations

import pytest

from vinted_optimizer.vocabulary import (
    CONDITION_LABELS_IT,
    CONDITION_SHORT_LABELS_IT,
    CONDITION_STATUS_IDS,
    CONDITIONS,
    condition_from_label_it,
)


@pytest.mark.parametrize(
    ("label", "condition", "status_id"),
    [
        ("Nuovo con cartellino", "new_with_tags", 6),
        ("Nuovo senza cartellino", "new_without_tags", 1),
        ("Ottime condizioni", "very_good", 2),
        ("Ottime", "very_good", 2),
        ("Buone condizioni", "good", 3),
        ("Buone", "good", 3),
        ("Discrete condizioni", "satisfactory", 4),
        ("Discrete", "satisfactory", 4),
        ("  buone  CONDIZIONI ", "good", 3),
    ],
)
def test_long_and_short_labels(label: str, condition: str, status_id: int) -> None:
    found = condition_from_label_it(label)
    assert found == condition and CONDITION_STATUS_IDS[found] == status_id


def test_every_condition_has_both_labels_and_unknown_ones_are_none() -> None:
    for condition in CONDITIONS:
        assert condition_from_label_it(CONDITION_LABELS_IT[condition]) == condition
        assert condition_from_label_it(CONDITION_SHORT_LABELS_IT[condition]) == condition
    assert condition_from_label_it("Come nuovo") is None
    assert condition_from_label_it("") is None
