"""Public hosts only: the rule for every address the site itself might connect to because someone typed it
(resource links it checks, email domains it sends to).

A link to 127.0.0.1:6379, 169.254.169.254 (cloud metadata) or an intranet name would have the server fetch
from its own network on someone's behalf. Two checks use this one rule:
- `host_problem(host)`, when a URL or address is entered: the host as written, without DNS (the site must
  accept ordinary links on a machine that can't resolve names). Literal addresses in every spelling a
  resolver accepts (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`) and local names (`localhost`,
  `*.localhost`, `*.local`, `*.internal`, a name without a dot) are refused.
- `address_problem(address)`, for each address a connection is about to be made to, after DNS
  (learning.catalogue.linkcheck), which is what a name that resolves to 127.0.0.1 can't get past.

settings.ALLOWED_PRIVATE_LINK_TARGETS lists names and networks let through anyway (only the tests' own local
servers use it; it is empty in every deployment).
"""

import ipaddress
import re
import unicodedata

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only mean something inside one machine or network (RFC 6761, RFC 6762, RFC 8375, ICANN's
# .internal), whatever DNS might say of them.
LOCAL_NAMES = ("localhost", "localdomain")
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
# IPv6 prefixes that carry an IPv4 address: NAT64's well-known prefix (RFC 6052).
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Full stops a browser or IDNA treats as ".": ideographic, fullwidth, halfwidth.
DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


def host_problem(host: str) -> str | None:
    """Why `host` (a URL's host: a name, an IPv4 address or an IPv6 one, with or without brackets) is not a
    public host, as a sentence; None when it is. Never uses DNS."""
    name = canonical_host(host)
    if not name:
        return "it has no host"
    if _allowed_name(name):
        return None
    try:
        address = literal_address(name)
    except ValueError:
        return f"{host} is neither a host name nor a valid address"
    if address is not None:
        return address_problem(address)
    if name in LOCAL_NAMES or name.endswith(LOCAL_SUFFIXES) or "." not in name:
        return f"{host} is a local name, not a public host"
    return None


def address_problem(address: Address | str) -> str | None:
    """Why connecting to `address` is refused (loopback, private, link-local, ...); None for a public one."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])  # no IPv6 zone: it only names a link
    if _allowed_address(address) or is_public(address):
        return None
    return f"{address} is not a public address"


def is_public(address: Address) -> bool:
    """A globally reachable unicast address: not loopback, private, link-local (169.254.169.254, fe80::),
    unique-local (fc00::/7), shared (100.64/10), multicast, reserved or unspecified, nor an IPv6 form that
    carries such an IPv4 address (::ffff:127.0.0.1, 6to4, Teredo, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def canonical_host(host: str) -> str:
    """Lower case, compatibility forms folded (fullwidth letters, digits and dots), no brackets or final dot:
    the name a resolver would look up."""
    name = unicodedata.normalize("NFKC", host or "").translate(DOTS).strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.rstrip(".")


def literal_address(name: str) -> Address | None:
    """The address `name` spells, in any form a URL parser or resolver accepts; None for a host name.
    Raises ValueError for a name ending in a number that is no valid address (no public name does)."""
    try:
        return ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        pass
    if ":" in name:
        raise ValueError(name)
    return _legacy_ipv4(name)


def _legacy_ipv4(name: str) -> ipaddress.IPv4Address | None:
    """IPv4 as inet_aton and browsers read it (WHATWG URL): one to four parts, each decimal, octal (leading
    0) or hexadecimal (0x), the last filling the remaining bytes: 2130706433, 0x7f.1, 0177.0.0.1, 127.1."""
    parts = name.split(".")
    if not NUMERIC_LABEL.fullmatch(parts[-1]):
        return None  # a name: its last label has letters
    if len(parts) > 4 or not all(NUMERIC_LABEL.fullmatch(part) for part in parts):
        raise ValueError(name)
    numbers = [_ipv4_number(part) for part in parts]
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(name)
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError for 08 or 09, as a resolver refuses them
    return int(part)


def _allowed_entries() -> list[str]:
    return [entry.lower() for entry in getattr(settings, "ALLOWED_PRIVATE_LINK_TARGETS", ())]


def _allowed_name(name: str) -> bool:
    return name in _allowed_entries()


def _allowed_address(address: Address) -> bool:
    for entry in _allowed_entries():
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a name, not a network
    return False
