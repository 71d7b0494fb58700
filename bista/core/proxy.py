"""Behind a TLS proxy: which peers may speak for the client (scheme, address, request id), and who the client is.

Only a peer listed in BISTA_TRUSTED_PROXIES (addresses or CIDR networks) may set X-Forwarded-Proto,
X-Forwarded-For and X-Request-Id; from anyone else those headers are removed before any other middleware
reads them, so a client cannot claim https, another address (to dodge the address lockout) or another
request's id. With no trusted proxies configured (the default) the headers are never honoured.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Headers only a trusted proxy may set (as keys of request.META).
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_REQUEST_ID")
# The address the connection really came from, kept when REMOTE_ADDR is replaced by the client's.
PEER_META_KEY = "BISTA_PEER_ADDR"


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "BISTA_TRUSTED_PROXIES", ()) or ()))


def _address(value: str) -> Address | None:
    """An address from a header hop: plain, `[v6]:port` or `v4:port`; None when it is not an address."""
    text = value.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4-mapped IPv6 peer (::ffff:10.0.0.1) is the IPv4 proxy it names.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(value: str, networks: Iterable[Network] | None = None) -> bool:
    address = _address(value)
    if address is None:
        return False
    return any(address in network for network in (trusted_networks() if networks is None else networks))


def client_address(peer: str, forwarded_for: str, networks: Iterable[Network]) -> str:
    """The client's address: the rightmost hop of X-Forwarded-For that is not a trusted proxy.

    Hops to the left of it were written by the client itself and prove nothing. A hop that is not an address
    stops the walk at the last trusted hop (so garbage never becomes the client address).
    """
    networks = tuple(networks)
    current = peer
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            return current
        current = str(address)
        if not any(address in network for network in networks):
            return current
    return current


def axes_client_ip(request: HttpRequest) -> str:
    """The address django-axes locks out: REMOTE_ADDR as TrustedProxyMiddleware left it (never a raw header)."""
    return str(request.META.get("REMOTE_ADDR", ""))


class TrustedProxyMiddleware:
    """First in the chain: drops forwarded headers from untrusted peers; behind a trusted proxy, puts the
    client's address in REMOTE_ADDR (for the lockout and the logs) and keeps the proxy's in BISTA_PEER_ADDR."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta: dict[str, Any] = request.META
        peer = str(meta.get("REMOTE_ADDR", ""))
        meta[PEER_META_KEY] = peer
        networks = trusted_networks()
        if networks and is_trusted(peer, networks):
            forwarded_for = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
            if forwarded_for:
                meta["REMOTE_ADDR"] = client_address(peer, forwarded_for, networks)
        else:
            for key in FORWARDED_HEADERS:
                meta.pop(key, None)
        return self.get_response(request)
