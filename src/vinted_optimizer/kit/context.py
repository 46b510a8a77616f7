"""Who is asking: client IP (behind a trusted proxy header when configured) and user agent."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from vinted_optimizer.kit.schemas import strip_control_characters


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    user_agent: str | None


def client_ip(request: Request) -> str | None:
    header = request.app.state.settings.client_ip_header
    candidate = None
    if header:
        raw = request.headers.get(header, "")
        candidate = raw.split(",")[0].strip() or None
    if candidate is None and request.client is not None:
        candidate = request.client.host
    if candidate is None:
        return None
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def request_context(request: Request) -> RequestContext:
    agent = strip_control_characters(request.headers.get("user-agent", ""))[:300]
    return RequestContext(ip=client_ip(request), user_agent=agent or None)


Context = Annotated[RequestContext, Depends(request_context)]
