"""Background jobs of the users domain. Jobs take ids, reload rows, and may safely run twice."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from vinted_optimizer.kit.email import send_email
from vinted_optimizer.models import Family, Invitation

log = structlog.get_logger(__name__)


async def send_invitation_email(ctx: dict[str, Any], invitation_id: str, sealed_token: str) -> str:
    resources = ctx["resources"]
    async with resources.sessionmaker() as session:
        invitation = await session.get(Invitation, uuid.UUID(invitation_id))
        if invitation is None or invitation.accepted_at is not None:
            return "skipped"
        family = await session.get(Family, invitation.family_id)
    token = resources.secret_box.decrypt_json(sealed_token.encode())["token"]
    url = f"{resources.settings.public_url.rstrip('/')}/invito?token={token}"
    family_name = family.name if family else "una famiglia"
    await send_email(
        resources.settings,
        to=invitation.email,
        subject=f"Invito a {family_name} su Vinted Optimizer",
        text=(
            f"Ciao!\n\nSei stato invitato a unirti a «{family_name}» su Vinted Optimizer.\n"
            f"Apri questo link per creare il tuo account (valido fino al "
            f"{invitation.expires_at:%d/%m/%Y}):\n\n{url}\n\n"
            "Se non aspettavi questo invito, ignora questa e-mail.\n"
        ),
    )
    log.info("invitation.emailed", invitation_id=invitation_id)
    return "sent"
