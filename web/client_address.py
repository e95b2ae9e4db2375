"""The client's address, decided by the app: `X-Forwarded-For` counts only from a trusted proxy.

uvicorn runs with `--no-proxy-headers`, so the connection's peer is what it says. Anyone
can write an `X-Forwarded-For` header; only the entries appended by our own proxies
(`TRUSTED_PROXIES`) are believed. Rate limits and sign-in throttles key on this address,
so a client that could choose it could slip past them.
"""

from __future__ import annotations

import functools
import ipaddress

from starlette.requests import Request

UNKNOWN = "unknown"
_MAX_CHARS = 64  # an address, not a place to store text


def client_address(request: Request) -> str:
    """The address of the client that sent `request`, as the rate limits should see it.

    When the peer is a trusted proxy, the right-most `X-Forwarded-For` entry that is not
    a trusted proxy is the client (entries to its left were written by the client and may
    be anything). Otherwise the header is ignored and the peer is the client.

    Args:
        request: the request (its app's settings name the trusted proxies).

    Returns:
        An IP address, or "unknown" when the server gave no peer.
    """
    peer = request.client.host if request.client else UNKNOWN
    networks = trusted_networks(request.app.state.settings.trusted_proxies)
    if not _is_trusted(peer, networks):
        return peer
    hops = [
        hop.strip()
        for value in request.headers.getlist("x-forwarded-for")
        for hop in value.split(",")
    ]
    for hop in reversed(hops):
        if hop and not _is_trusted(hop, networks):
            return hop[:_MAX_CHARS]
    return peer  # only proxies on the way: the request came from one of them


@functools.lru_cache(maxsize=4)  # the settings' one tuple, parsed once
def trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The trusted proxies as networks (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(
    address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # "testclient", a name, garbage: never a proxy of ours
        return False
    return any(ip in network for network in networks)
