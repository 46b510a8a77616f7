"""Outgoing e-mail through SMTP (aiosmtplib); disabled when VO_SMTP_HOST is unset."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from vinted_optimizer.config import Settings


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


async def send_email(settings: Settings, *, to: str, subject: str, text: str) -> None:
    if not settings.smtp_host:
        raise RuntimeError("SMTP is not configured")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
        timeout=20,
    )
