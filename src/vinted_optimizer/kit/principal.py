"""Who is asking, as the services see it: a signed-in member of a family, never an ORM row.

Endpoints get it from ``CurrentMember`` (``auth.dependencies``); services take it, or just the ids they
use, so a service cannot forget whose data it is touching and never needs to assert a family exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

FamilyRole = Literal["admin", "member"]


@dataclass(frozen=True, slots=True)
class Member:
    id: uuid.UUID
    family_id: uuid.UUID
    role: FamilyRole
    username: str

    @property
    def is_family_admin(self) -> bool:
        return self.role == "admin"
