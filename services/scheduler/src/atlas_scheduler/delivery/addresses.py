"""Which addresses a webhook may reach: public ones, unless the deployment allows private.

Every address a host name resolves to is checked (one private answer refuses the URL), and the
caller connects to an address it got from here, never resolving the name again: a DNS answer
that changes between the check and the connection (rebinding) cannot reach an internal service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from atlas_scheduler.delivery.retry import Permanent, Retryable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Target:
    """A URL split for a pinned connection: ``url`` names ``address``; ``host`` is for the
    Host header, TLS (SNI and certificate) and logs."""

    url: str
    host: str
    host_header: str
    address: str


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def split_url(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Permanent("not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise Permanent(f"{parts.hostname}: credentials in the URL are refused")
    return parts


async def resolve(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Every address of ``host``; :class:`Permanent` if one is not public (unless allowed)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Retryable(f"{host}: name not resolved ({exc.strerror})") from None
    found = list(dict.fromkeys(ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos))
    if not allow_private and not all(is_public(a) for a in found):
        raise Permanent(f"{host}: resolves to a private address (refused)")
    return found


async def pinned(url: str, *, allow_private: bool) -> list[Target]:
    """``url`` rewritten once per checked address of its host, in the resolver's order."""
    parts = split_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    named = f"[{host}]" if ":" in host else host
    host_header = f"{named}:{parts.port}" if parts.port else named
    targets = []
    for address in await resolve(host, port, allow_private=allow_private):
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        rewritten = parts._replace(netloc=netloc).geturl()
        targets.append(Target(rewritten, host, host_header, str(address)))
    return targets
