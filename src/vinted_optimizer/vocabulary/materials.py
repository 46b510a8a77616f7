"""Vinted's materials (ids and Italian names), the values a listing's "Materiale" field accepts.

Ids and the Spanish, French and English titles come from vinted-rs (ThalosES/vinted-rs, migration
``2023-06-29-170110_materials``); the Italian names are ours, in the words Italian clothing labels and
shops use. Id 446 is "Faux fur" in French and English there (its Spanish title says faux leather, which is
447): the French and English titles are followed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VintedMaterial:
    id: int
    name: str  # Italian
    name_en: str


VINTED_MATERIALS: tuple[VintedMaterial, ...] = (
    VintedMaterial(43, "Pelle", "Leather"),
    VintedMaterial(44, "Cotone", "Cotton"),
    VintedMaterial(45, "Poliestere", "Polyester"),
    VintedMaterial(46, "Lana", "Wool"),
    VintedMaterial(48, "Viscosa", "Viscose"),
    VintedMaterial(49, "Seta", "Silk"),
    VintedMaterial(52, "Nylon", "Nylon"),
    VintedMaterial(53, "Elastan", "Elastane"),
    VintedMaterial(120, "Pile", "Fleece"),
    VintedMaterial(121, "Lana merino", "Merino"),
    VintedMaterial(122, "Alpaca", "Alpaca"),
    VintedMaterial(123, "Cashmere", "Cashmere"),
    VintedMaterial(146, "Lino", "Linen"),
    VintedMaterial(149, "Acrilico", "Acrylic"),
    VintedMaterial(152, "Mohair", "Mohair"),
    VintedMaterial(177, "Ciniglia", "Velour"),
    VintedMaterial(178, "Neoprene", "Neoprene"),
    VintedMaterial(226, "Paillettes", "Sequin"),
    VintedMaterial(298, "Scamosciato", "Suede"),
    VintedMaterial(299, "Velluto a coste", "Corduroy"),
    VintedMaterial(300, "Plastica", "Plastic"),
    VintedMaterial(301, "Gomma", "Rubber"),
    VintedMaterial(302, "Lattice", "Latex"),
    VintedMaterial(303, "Denim", "Denim"),
    VintedMaterial(305, "Vernice", "Patent leather"),
    VintedMaterial(311, "Raso", "Satin"),
    VintedMaterial(440, "Bambù", "Bamboo"),
    VintedMaterial(441, "Tela", "Canvas"),
    VintedMaterial(442, "Cartone", "Cardboard"),
    VintedMaterial(443, "Ceramica", "Ceramic"),
    VintedMaterial(444, "Chiffon", "Chiffon"),
    VintedMaterial(445, "Piuma", "Down"),
    VintedMaterial(446, "Pelliccia sintetica", "Faux fur"),
    VintedMaterial(447, "Similpelle", "Faux leather"),
    VintedMaterial(448, "Feltro", "Felt"),
    VintedMaterial(449, "Gommapiuma", "Foam"),
    VintedMaterial(451, "Flanella", "Flannel"),
    VintedMaterial(452, "Vetro", "Glass"),
    VintedMaterial(453, "Oro", "Gold"),
    VintedMaterial(454, "Iuta", "Jute"),
    VintedMaterial(455, "Pizzo", "Lace"),
    VintedMaterial(456, "Rete", "Mesh"),
    VintedMaterial(457, "Metallo", "Metal"),
    VintedMaterial(458, "Carta", "Paper"),
    VintedMaterial(459, "Porcellana", "Porcelain"),
    VintedMaterial(460, "Rattan", "Rattan"),
    VintedMaterial(461, "Argento", "Silver"),
    VintedMaterial(462, "Pietra", "Stone"),
    VintedMaterial(463, "Paglia", "Straw"),
    VintedMaterial(464, "Tulle", "Tulle"),
    VintedMaterial(465, "Tweed", "Tweed"),
    VintedMaterial(466, "Velluto", "Velvet"),
    VintedMaterial(467, "Legno", "Wood"),
    VintedMaterial(470, "Silicone", "Silicone"),
)
MATERIAL_BY_NAME = {material.name: material for material in VINTED_MATERIALS}
