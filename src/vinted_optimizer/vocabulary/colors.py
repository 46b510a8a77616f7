"""Vinted's 28 colours (ids and reference hex values) with their Italian names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VintedColor:
    id: int
    name: str  # Italian label shown on vinted.it
    hex: str | None


# The 28 colours of Vinted's /api/v2/colors (ids and hex from vinted-rs, French titles there). Ids 5 and 24
# are both "Rose" in French: 5 is the vivid pink (#ff0080), 24 the pale one, labelled "Rosa cipria" here.
VINTED_COLORS: tuple[VintedColor, ...] = (
    VintedColor(1, "Nero", "#000000"),
    VintedColor(2, "Marrone", "#663300"),
    VintedColor(3, "Grigio", "#919191"),
    VintedColor(4, "Beige", "#F4E0C8"),
    VintedColor(5, "Rosa", "#FF0080"),
    VintedColor(6, "Viola", "#800080"),
    VintedColor(7, "Rosso", "#CC3300"),
    VintedColor(8, "Giallo", "#FFF200"),
    VintedColor(9, "Blu", "#007BC4"),
    VintedColor(10, "Verde", "#369A3D"),
    VintedColor(11, "Arancione", "#FFA500"),
    VintedColor(12, "Bianco", "#FFFFFF"),
    VintedColor(13, "Argento", "#DDDDDD"),
    VintedColor(14, "Oro", "#BE9927"),
    VintedColor(15, "Multicolore", None),
    VintedColor(16, "Kaki", "#86814A"),
    VintedColor(17, "Turchese", "#B7DEE8"),
    VintedColor(20, "Crema", "#F8F8E1"),
    VintedColor(21, "Albicocca", "#FFCC98"),
    VintedColor(22, "Corallo", "#FE7F5D"),
    VintedColor(23, "Bordeaux", "#AE2E3D"),
    VintedColor(24, "Rosa cipria", "#FFCCCA"),
    VintedColor(25, "Lilla", "#D297D2"),
    VintedColor(26, "Azzurro", "#89CFF0"),
    VintedColor(27, "Blu navy", "#35358D"),
    VintedColor(28, "Verde scuro", "#356639"),
    VintedColor(29, "Senape", "#E5B539"),
    VintedColor(30, "Menta", "#A2FFBC"),
)
COLOR_BY_NAME = {c.name: c for c in VINTED_COLORS}
