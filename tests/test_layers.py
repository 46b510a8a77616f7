"""The layer contracts are not vacuous: a forbidden import in a copy of the source tree breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=source,
        timeout=120,
        check=False,
    )


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "src"


def test_the_tree_keeps_every_contract(source_copy):
    result = lint_imports(source_copy)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("images/service.py", "from vinted_optimizer.listings import repository", "listings' queries"),
        ("kit/db.py", "from vinted_optimizer import models", "the bottom"),
        ("models/users.py", "from vinted_optimizer.users import service", "models import nothing above"),
        ("ai/pipeline.py", "from vinted_optimizer.listings import service", "the home-side ai package"),
        ("scraper/pacing.py", "from vinted_optimizer.trends import service", "the home-side scraper package"),
        ("scraper/vinted/search.py", "from vinted_optimizer import models", "the home-side scraper package"),
        ("users/service.py", "from vinted_optimizer.auth import service", "users (accounts) never call auth"),
        ("listings/repository.py", "from vinted_optimizer.listings import service", "inside a domain"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(source_copy, module, line, contract):
    target = source_copy / "vinted_optimizer" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(source_copy)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken


def test_every_domain_is_named_in_the_contracts():
    """A new domain must join the forbidden lists (docs/architecture.md, "Adding a domain")."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    package = ROOT / "src" / "vinted_optimizer"
    domains = {
        f"vinted_optimizer.{folder.name}"
        for folder in package.iterdir()
        if (folder / "endpoints.py").exists() or (folder / "service.py").exists()
    }
    lists = [
        set(c.get("forbidden_modules", []))
        for c in contracts
        if c["name"].startswith(("config, kit", "models"))
    ]
    assert lists and all(domains <= listed for listed in lists), [domains - listed for listed in lists]
