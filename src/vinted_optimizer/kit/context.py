"""Who is asking: the client IP (from a trusted proxy's header only) and the user agent."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request

from vinted_optimizer.kit.schemas import strip_control_characters

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    user_agent: str | None


@lru_cache(maxsize=4096)
def _address(value: str) -> IPAddress | None:
    """The address ``value`` names (remembered: the same peers come back request after request)."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:203.0.113.7) is that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class ProxyTrust:
    """The client IP: the socket peer, unless the peer is a trusted proxy that names the client in
    ``header``. For a list (X-Forwarded-For: client, proxy1, proxy2) the nearest address that is not a
    trusted proxy is the client: the entries further left could have been written by anyone."""

    def __init__(self, proxies: Sequence[IPNetwork], header: str | None) -> None:
        self._proxies = tuple(proxies)
        self._header = header if proxies else None

    def _trusted(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self._proxies)

    def client_ip(self, peer: str | None, header_value: str | None) -> str | None:
        address = _address(peer) if peer else None
        if address is None or self._header is None or not header_value or not self._trusted(address):
            return str(address) if address else None
        for entry in reversed(header_value.split(",")):
            candidate = _address(entry)
            if candidate is None:
                break  # a malformed entry: trust nothing beyond it
            address = candidate
            if not self._trusted(candidate):
                break
        return str(address)

    @property
    def header(self) -> str | None:
        return self._header


def client_ip(request: Request) -> str | None:
    trust: ProxyTrust = request.app.state.proxy_trust
    header = request.headers.get(trust.header) if trust.header else None
    return trust.client_ip(request.client.host if request.client else None, header)


async def request_context(request: Request) -> RequestContext:
    agent = strip_control_characters(request.headers.get("user-agent", ""))[:300]
    return RequestContext(ip=client_ip(request), user_agent=agent or None)


Context = Annotated[RequestContext, Depends(request_context)]
