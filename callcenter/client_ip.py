"""The address a request comes from, as the login lockout (django-axes) and the API
throttles count it.

Behind the TLS proxy every request reaches gunicorn from the proxy, so REMOTE_ADDR is the
proxy's address for everyone: a lockout by username and address would lock a username out
for all. The proxy names the client in a header (X-Forwarded-For, X-Real-IP or RFC 7239
Forwarded); that header is read only when HUIFANG_CLIENT_IP_HEADER names it, since any
client can send one of its own. Each trusted proxy appends the address it received the
request from, so the client is the entry HUIFANG_TRUSTED_PROXY_HOPS places from the right:
what a client wrote itself stands further left and is never taken. With
HUIFANG_TRUSTED_PROXY_IPS set, the header is read only on requests that come from one of
those addresses or networks. Without a usable header, REMOTE_ADDR is the address.

django-ipware (the library django-axes itself uses for this) parses the header: several
addresses, IPv6, ports, brackets and the Forwarded syntax; the position is pinned here.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from ipware import get_client_ip


def meta_key(header: str) -> str:
    """'X-Forwarded-For' → 'HTTP_X_FORWARDED_FOR' (a request.META key stays as it is)."""
    key = header.strip().upper().replace("-", "_")
    if not key or key.startswith("HTTP_") or key == "REMOTE_ADDR":
        return key
    return f"HTTP_{key}"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _from_trusted_proxy(remote: str | None) -> bool:
    trusted = tuple(getattr(settings, "HUIFANG_TRUSTED_PROXY_IPS", ()) or ())
    if not trusted:
        return True
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    header = meta_key(getattr(settings, "HUIFANG_CLIENT_IP_HEADER", "") or "")
    if not header or header == "REMOTE_ADDR" or not _from_trusted_proxy(remote):
        return remote
    hops = max(1, int(getattr(settings, "HUIFANG_TRUSTED_PROXY_HOPS", 1)))
    # ipware counts the proxies listed after the client in the header: the last proxy is
    # the peer (REMOTE_ADDR) and adds the entry on the right, so hops - 1 of them.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=hops - 1,
        request_header_order=[header],
        strict=False,
    )
    return address or remote
