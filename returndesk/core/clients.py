"""Who is on the other end of a request: the client's address, and the origin links are made for.

Behind a reverse proxy every request comes from the proxy; the proxy says whom it serves in
``X-Forwarded-For``. That header is believed only from proxies listed in
``RETURNDESK_TRUSTED_PROXIES``, and only as far as they wrote it: each proxy appends the address
it was talked to from, so reading from the right and skipping our own proxies, the first address
that is not ours is the client. Anything further left was written by the client and proves
nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def networks_parse(cidrs: Sequence[str]) -> list[IPNetwork]:
    """``["10.0.0.0/8", "::1"]`` as networks (a bare address is a network of one); ValueError
    names the first entry that is not one."""
    networks: list[IPNetwork] = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"{cidr!r} is not an IP address or network in CIDR notation") from error
    return networks


def _address(text: str) -> IPAddress | None:
    """An address as a proxy writes it: bare, ``[v6]``, ``[v6]:port`` or ``v4:port``."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reaching a dual-stack socket shows as ::ffff:a.b.c.d: one client, one address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, proxies: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(remote_addr: str, forwarded_for: str, proxies: Sequence[IPNetwork]) -> str:
    """The client's address, in canonical form, from the socket's peer and ``X-Forwarded-For``.

    From a peer that is not a trusted proxy, the peer. From a trusted proxy, the right-most
    forwarded address that is not a trusted proxy; when the chain breaks first (an entry that is
    no address) or holds nothing but proxies, the last address it vouched for.
    """
    peer = _address(remote_addr)
    if peer is None:
        return remote_addr.strip()
    if not _trusted(peer, proxies):
        return str(peer)
    vouched = peer
    for entry in reversed(forwarded_for.split(",")):
        address = _address(entry)
        if address is None:
            break
        if not _trusted(address, proxies):
            return str(address)
        vouched = address
    return str(vouched)


def request_client_address(request: HttpRequest) -> str:
    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        settings.TRUSTED_PROXIES,
    )


def public_origin(request: HttpRequest | None) -> str:
    """Where links sent to people point: ``RETURNDESK_PUBLIC_URL``, else the request's own origin."""
    configured = settings.PUBLIC_URL
    if configured or request is None:
        return str(configured).rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")
