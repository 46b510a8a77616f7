"""The colours a photo's pixels are matched against: Vinted's own list (vocabulary.colors), so local colours
and the AI's colours speak the same words."""

from __future__ import annotations

from dataclasses import dataclass

from vinted_optimizer.vocabulary import VINTED_COLORS


@dataclass(frozen=True)
class PaletteColour:
    id: int
    name: str
    rgb: tuple[int, int, int]


def _rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# "Multicolore" has no reference value and is never a pixel's colour.
PALETTE: tuple[PaletteColour, ...] = tuple(
    PaletteColour(colour.id, colour.name, _rgb(colour.hex)) for colour in VINTED_COLORS if colour.hex
)
