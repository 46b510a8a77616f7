"""First-load JavaScript of each dashboard page, gzip-compressed, from the static export in web/out.

Next 16 no longer prints sizes after `next build`, so this reads what each exported page loads: every
script referenced by its HTML (and the chunks it preloads) except the legacy `noModule` polyfills,
gzipped at level 9 as a CDN would serve it.
Run `make web-build` first.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "web" / "out"
SCRIPT = re.compile(r'(?:src|href)="(/_next/static/[^"]+\.js)"')
# Legacy polyfills carry `noModule`: modern browsers never download them.
NOMODULE = re.compile(r'<script[^>]*src="(/_next/static/[^"]+\.js)"[^>]*noModule')


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def main() -> int:
    if not (OUT / "index.html").exists():
        print("web/out is missing: run `make web-build` first", file=sys.stderr)
        return 1
    pages = sorted(p for p in OUT.glob("*.html") if p.name not in {"404.html", "_not-found.html"})
    sizes: dict[str, int] = {}
    per_page: dict[str, set[str]] = {}
    for page in pages:
        html = page.read_text()
        scripts = set(SCRIPT.findall(html)) - set(NOMODULE.findall(html))
        per_page[page.stem] = scripts
        for script in scripts:
            sizes.setdefault(script, gzip_size(OUT / script.lstrip("/")))
    shared = set.intersection(*per_page.values()) if per_page else set()
    shared_kb = sum(sizes[s] for s in shared) / 1024
    print(f"{'page':<16}{'first-load JS (gzip)':>22}{'own chunks':>14}")
    print("-" * 52)
    for name, scripts in per_page.items():
        total = sum(sizes[s] for s in scripts) / 1024
        own = sum(sizes[s] for s in scripts - shared) / 1024
        print(f"/{'' if name == 'index' else name:<15}{total:>19.1f} KB{own:>11.1f} KB")
    print("-" * 52)
    print(f"shared by every page: {shared_kb:.1f} KB gzip in {len(shared)} chunks")
    all_js = sum(gzip_size(p) for p in (OUT / "_next" / "static").rglob("*.js")) / 1024
    print(f"all JavaScript in the export: {all_js:.1f} KB gzip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
