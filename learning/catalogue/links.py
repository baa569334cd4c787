"""Normalising resource URLs, so that one page is stored once whatever link a curator pasted."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from plumbing.addresses import host_problem
from plumbing.text import without_bidi_controls

ALLOWED_SCHEMES = ("http", "https")

# Query parameters that only say where a click came from; they never change the page.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ab_channel", "igshid", "ref_src", "si"}
)
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Letters (any script), digits, dots, hyphens; colons and a zone's % for an IPv6 literal. No spaces.
VALID_HOST = re.compile(r"[\w.:%-]+")


class UnsupportedURL(ValueError):
    """The text is not an http(s) URL with a host."""


class NonPublicURL(UnsupportedURL):
    """The URL's host is a local name or a non-public address (plumbing.addresses): the site would fetch it
    from its own network when it checks the link."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(raw: str) -> str:
    """The canonical form of an http(s) URL.

    Lower-cases the scheme and host, drops a default port, an empty query and the fragment, removes
    tracking parameters (utm_*, fbclid, ab_channel, ...) and keeps the other parameters in their order.
    Drops bidirectional controls (they make a link display as another). Raises UnsupportedURL for anything
    that is not http or https with a host, NonPublicURL for a host that is no public one.
    """
    text = without_bidi_controls(raw or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise UnsupportedURL(f"{text!r} is not a valid URL") from error
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsupportedURL(f"{text!r} is not an http or https URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsupportedURL(f"{text!r} has no host")
    if not VALID_HOST.fullmatch(host):
        raise UnsupportedURL(f"{text!r} has no valid host")
    if problem := host_problem(host):
        raise NonPublicURL(f"{problem}: only links to public web sites can be stored")
    if ":" in host:  # an IPv6 literal loses its brackets in .hostname
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        raise UnsupportedURL(f"{text!r} contains credentials")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))
