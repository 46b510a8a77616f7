"""Derive ``catalogs.json`` (next to this file) from the recorded Vinted catalog tree.

The source is the fixture ``shared/fixtures/vinted/catalogs.json`` (ThalosES/vinted-rs, a 2023 snapshot of
Vinted's taxonomy, 1,046 catalogs, 1.3 MB). It lives outside the repository, so the compact derived file
is committed: one catalog per line with only what the category matcher and the listing form need — ``id``,
English ``title``, ``path`` from the root ("Women > Clothes > Outerwear > Jackets"), ``parent`` (null for
the six roots) and the fields Vinted's own form asks for this catalog, each written only when it differs
from the usual: ``size_groups`` (Vinted's size group ids, when the form shows a size), ``package_group``
(the package-size group, when not 0), ``material`` (true when the form asks for a material), ``brand`` /
``color`` (false when the form hides them), ``new_only`` (true when only "new with tags" is accepted).

The folder is ``taxonomy/`` rather than ``data/`` because the repository's .gitignore ignores every
directory named ``data`` (the runtime data folder), which would silently leave this file out of git.

A catalog whose parent is missing from the snapshot (1120 "Other bags" → 1032) keeps its own title as path
and ``"orphan": true``; the matcher ignores it.

Regenerate after updating the fixture (from the repository's root, with .venv/bin on the PATH):

    python -m vinted_optimizer.vocabulary.taxonomy.build_catalogs ../shared/fixtures/vinted/catalogs.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("catalogs.json")
SEPARATOR = " > "


def derive(source: dict[str, Any]) -> list[dict[str, Any]]:
    catalogs: dict[int, dict[str, Any]] = {int(k): v for k, v in source["catalogs"].items()}

    def lineage(catalog_id: int) -> tuple[list[str], bool]:
        titles: list[str] = []
        current: int | None = catalog_id
        seen: set[int] = set()
        while current and current in catalogs and current not in seen:
            seen.add(current)
            titles.append(str(catalogs[current]["title"]).strip())
            current = catalogs[current].get("parent_id") or None
        return list(reversed(titles)), current is not None

    rows = []
    for catalog_id in sorted(catalogs):
        item = catalogs[catalog_id]
        titles, orphan = lineage(catalog_id)
        row: dict[str, Any] = {
            "id": catalog_id,
            "title": str(item["title"]).strip(),
            "path": SEPARATOR.join(titles),
            "parent": item.get("parent_id") or None,
        }
        if item.get("size_field_visibility") and item.get("size_group_ids"):
            row["size_groups"] = [int(group) for group in item["size_group_ids"]]
        if item.get("package_size_group"):
            row["package_group"] = int(item["package_size_group"])
        if item.get("material_field_visibility"):
            row["material"] = True
        if not item.get("brand_field_visibility", 1):
            row["brand"] = False
        if not item.get("color_field_visibility", 1):
            row["color"] = False
        if item.get("restricted_to_status_id") == 6:
            row["new_only"] = True
        if orphan:
            row["orphan"] = True
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    return "[\n" + lines + "\n]\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit(
            "usage: python -m vinted_optimizer.vocabulary.taxonomy.build_catalogs <catalogs.json>"
        )
    source = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    rows = derive(source)
    OUTPUT.write_text(render(rows), encoding="utf-8")
    print(f"{len(rows)} catalogs written to {OUTPUT}")


if __name__ == "__main__":
    main()
