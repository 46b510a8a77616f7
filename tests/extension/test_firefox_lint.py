"""Firefox's side of the extension: Mozilla's own validator (addons-linter, the one addons.mozilla.org
runs on every upload) over ``extension/``, offline. Playwright cannot load an extension into stock
Firefox, so this is what proves the one code base is a valid Firefox add-on; Chromium loads it for real
in ``tests/e2e/test_vinted_extension.py``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINTER = ROOT / "web" / "node_modules" / ".bin" / "addons-linter"


def lint(folder: Path) -> dict:
    done = subprocess.run(  # noqa: S603 - a fixed local tool
        [str(LINTER), str(folder), "--output", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return json.loads(done.stdout)


def test_the_extension_passes_firefoxs_validator_without_a_warning() -> None:
    report = lint(ROOT / "extension")
    assert report["summary"] == {"errors": 0, "notices": 0, "warnings": 0}, report


def test_the_validator_would_catch_a_manifest_firefox_refuses(tmp_path: Path) -> None:
    """The check can fail: the same extension without its Firefox id and consent is refused."""
    copy = tmp_path / "extension"
    copy.mkdir()
    for path in (ROOT / "extension").rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(ROOT / "extension")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["background"] = {"service_worker": "missing.js"}
    del manifest["browser_specific_settings"]["gecko"]["data_collection_permissions"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    report = lint(copy)
    codes = {message["code"] for message in report["errors"] + report["warnings"]}
    assert "MISSING_DATA_COLLECTION_PERMISSIONS" in codes, report
    assert report["summary"]["errors"] + report["summary"]["warnings"] >= 2, report
