"""listings' category names in Italian, as Vinted.it names the catalogs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vinted_optimizer.vocabulary.catalog import load_catalogs

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RENAME = sa.text(
    "UPDATE listings SET category = :to_path WHERE category_id = :catalog_id AND category = :from_path"
)


def _rename(*, italian: bool) -> None:
    """A category the AI set from the catalog (its id and its English path) takes the Italian path, or
    back; a name the member typed is theirs and stays."""
    rows = [
        {
            "catalog_id": catalog.id,
            "from_path": catalog.path if italian else catalog.path_it,
            "to_path": catalog.path_it if italian else catalog.path,
        }
        for catalog in load_catalogs().values()
    ]
    op.get_bind().execute(_RENAME, rows)


def upgrade() -> None:
    _rename(italian=True)


def downgrade() -> None:
    _rename(italian=False)
