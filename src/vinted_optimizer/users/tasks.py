"""Jobs of the users domain: load by id, hand off to the service. Jobs may safely run twice."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.queue import DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.users import password_reset, repository, service

log = structlog.get_logger(__name__)


async def send_invitation_email(ctx: dict[str, Any], invitation_id: str, sealed_token: str) -> str:
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session:
        invitation = await repository.invitation_unscoped(session, uuid.UUID(invitation_id))
        if invitation is None or invitation.accepted_at is not None:
            return "skipped"
        family = await repository.family(session, invitation.family_id)
        existing = await repository.email_taken(session, invitation.email)
    # The database connection is back in the pool before the SMTP server is contacted.
    await service.send_invitation_email(
        resources.settings, resources.secret_box, invitation, family, sealed_token, existing_account=existing
    )
    log.info("invitation.emailed", invitation_id=invitation_id)
    return "sent"


async def send_signup_email(ctx: dict[str, Any], sealed: str) -> str:
    """The e-mail of an open sign-up: its link, or a notice when the address already has an account."""
    resources: Resources = ctx["resources"]
    email = str(resources.secret_box.decrypt_json(sealed.encode())["email"])
    async with resources.sessionmaker() as session:
        existing = await repository.email_taken(session, email)
    await service.send_signup_email(resources.settings, email, sealed, existing_account=existing)
    log.info("signup.emailed")
    return "notice" if existing else "link"


async def send_password_reset_email(ctx: dict[str, Any], sealed: str) -> str:
    """A reset link for the account with this address, e-mailed; nothing for an unknown address. A run
    again makes a new link, which replaces the first (the e-mail of a failed run never left)."""
    resources: Resources = ctx["resources"]
    request = resources.secret_box.decrypt_json(sealed.encode())
    context = RequestContext(ip=request.get("ip"), user_agent=request.get("user_agent"))
    async with resources.sessionmaker() as session, session.begin():
        link = await password_reset.link_for_email(
            session, resources.settings, str(request["email"]), context
        )
    # Committed, and the connection back in the pool, before the SMTP server is contacted.
    if link is None:
        log.info("password_reset.no_account")
        return "no_account"
    await password_reset.send_reset_email(resources.settings, link)
    log.info("password_reset.emailed")
    return "sent"


JOBS = DomainJobs(
    functions={
        service.SEND_INVITATION_JOB: send_invitation_email,
        service.SEND_SIGNUP_JOB: send_signup_email,
        password_reset.SEND_RESET_JOB: send_password_reset_email,
    }
)
