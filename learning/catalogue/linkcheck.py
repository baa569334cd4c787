"""Checking that links still answer: many URLs at once, politely, one verdict per URL.

Pure: `check_urls(urls, options)` returns a `LinkResult` per URL and knows nothing of the database; the
`check_links` command reads the resources and stores the verdicts.

Per URL: HEAD first (no body), then a streamed GET whose body is never read when the HEAD is refused
(any status ≥ 400, or a broken answer), because many servers mishandle HEAD. Redirects are followed and
where they end is kept. Transient failures (timeouts, connection errors, 429, 5xx) are retried after a
doubling backoff. At most `concurrency` requests are in flight, and at most `per_host` to one host.

Only public addresses are ever connected to (plumbing.addresses): each request, redirects included, resolves
its host here, refuses it if any address is loopback, private, link-local and the like ("refused: …", never
retried), and connects to the very address it checked, so a second DNS answer can't differ.
"""

import asyncio
import os
import socket
import ssl
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import httpx

from plumbing.addresses import address_problem, host_problem

# Names the site, so a webmaster who sees it in a log knows who checks their page and why.
USER_AGENT = (
    "Mozilla/5.0 (compatible; RoadmapLinkChecker/1.0; Roadmap, a site for learning backend development)"
)
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MAX_REDIRECTS = 10
# What the database can hold (Resource.link_error, Resource.link_final_url, Resource.link_status).
MAX_ERROR_LENGTH = 200
MAX_URL_LENGTH = 2000
VALID_STATUSES = range(100, 600)


@dataclass(frozen=True)
class Options:
    concurrency: int = 20
    per_host: int = 4
    timeout: float = 10.0  # seconds for each request, redirects included
    retries: int = 1  # extra attempts after a transient failure
    backoff: float = 0.5  # seconds before the first retry, doubled before each next one
    user_agent: str = USER_AGENT

    def __post_init__(self):
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if self.timeout <= 0 or self.retries < 0 or self.backoff < 0:
            raise ValueError("timeout must be positive, retries and backoff not negative")


@dataclass(frozen=True)
class LinkResult:
    """The last attempt's verdict: an HTTP status (after redirects), or an error when nothing answered."""

    url: str
    status: int | None = None
    final_url: str = ""
    error: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def redirected(self) -> bool:
        return self.ok and self.final_url not in ("", self.url)

    @property
    def cause(self) -> str:
        """Why it is broken, short enough to group by: "HTTP 404", "timed out after 10 s", ..."""
        return self.error or f"HTTP {self.status}"


@dataclass(frozen=True)
class _Outcome:
    result: LinkResult
    transient: bool  # worth another attempt later
    method_refused: bool  # the server may only dislike this method: worth a GET after a HEAD


def check_urls(urls: Iterable[str], options: Options | None = None) -> dict[str, LinkResult]:
    """Checks every distinct URL concurrently; returns their results by URL. Blocks until all are done.

    For synchronous callers (the check_links command); async code awaits check_urls_async instead."""
    return asyncio.run(check_urls_async(list(urls), options or Options()))


async def check_urls_async(urls: Iterable[str], options: Options) -> dict[str, LinkResult]:
    distinct = list(dict.fromkeys(urls))
    in_flight = asyncio.Semaphore(options.concurrency)
    per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(options.per_host))
    async with _client(options) as client:
        results = await asyncio.gather(
            *(_check(client, url, options, in_flight, per_host[_host(url)]) for url in distinct)
        )
    return dict(zip(distinct, results, strict=True))


def _client(options: Options) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=PublicOnlyTransport(
            limits=httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=None)
        ),
        trust_env=False,  # an HTTP_PROXY from the environment would connect for us, unchecked
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(options.timeout),
        headers={"User-Agent": options.user_agent, "Accept": ACCEPT, "Accept-Language": "en"},
    )


class NonPublicAddress(httpx.ConnectError):
    """The request's host is, or resolves to, an address the checker never connects to."""


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, connecting only to public addresses: resolves each request's host, refuses
    it if any of its addresses is not public, then sends the request to each checked address in turn (by
    address, with the name kept in Host and TLS's SNI and certificate check) until one connects.

    One connection pool per host name, so a TLS connection verified for one name never carries another's
    request because both names share an address."""

    def __init__(self, **transport_options):
        # One TLS context for every pool (building one reads the whole CA bundle: tens of milliseconds).
        self._options = {"verify": httpx.create_ssl_context(), **transport_options}
        self._pools: dict[str, httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):  # a redirect to ftp:, say: httpx checks it after us
            raise httpx.UnsupportedProtocol(f"unsupported scheme {request.url.scheme!r}", request=request)
        host = request.url.raw_host.decode("ascii")
        addresses = await self._checked_addresses(request, host)
        pool = self._pools.get(host)
        if pool is None:
            pool = self._pools[host] = httpx.AsyncHTTPTransport(**self._options)
        for attempt, address in enumerate(addresses, start=1):
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=address),
                headers=request.headers,  # Host: the name, as the client set it
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": host},
            )
            try:
                return await pool.handle_async_request(pinned)
            except httpx.RequestError as error:
                error.request = request  # the URL as the client knows it, not its address
                if not isinstance(error, httpx.ConnectError) or attempt == len(addresses):
                    raise
                # Nothing was sent to this address: the next one may answer.
        raise httpx.ConnectError("no address", request=request)  # getaddrinfo never returns none

    async def _checked_addresses(self, request: httpx.Request, host: str) -> list[str]:
        if problem := host_problem(host):
            raise NonPublicAddress(f"refused: {problem}", request=request)
        port = request.url.port or {"http": 80, "https": 443}[request.url.scheme]
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise httpx.ConnectError(str(error), request=request) from error
        addresses = list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in found))
        for address in addresses:
            if address_problem(address):
                raise NonPublicAddress(
                    f"refused: {host} resolves to {address}, which is not a public address", request=request
                )
        return addresses

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


async def _check(client, url, options, in_flight, host_slots) -> LinkResult:
    use_get, attempt = False, 1
    while True:
        # The host's slot first, so a task waiting for a busy host holds no global slot.
        async with host_slots, in_flight:
            outcome = await _request(client, "GET" if use_get else "HEAD", url, options.timeout)
            if not use_get and not outcome.result.ok and outcome.method_refused:
                use_get = True  # and on every retry: this server refused HEAD once
                outcome = await _request(client, "GET", url, options.timeout)
        if outcome.result.ok or not outcome.transient or attempt > options.retries:
            return replace(outcome.result, attempts=attempt)
        await asyncio.sleep(options.backoff * 2 ** (attempt - 1))  # outside the slots: others go meanwhile
        attempt += 1


async def _request(client: httpx.AsyncClient, method: str, url: str, timeout: float) -> _Outcome:
    """One request, redirects followed, within `timeout` seconds in all."""
    try:
        async with asyncio.timeout(timeout):
            response = await _send(client, method, url)
        status, final_url = response.status_code, str(response.url)
    except (httpx.HTTPError, OSError, TimeoutError) as error:
        return _failure(url, error, timeout)
    except Exception as error:  # one odd server must not lose the whole run's results
        return _Outcome(LinkResult(url, error=_short(f"{type(error).__name__}: {error}")), False, True)
    final_url = final_url if len(final_url) <= MAX_URL_LENGTH else ""
    if status not in VALID_STATUSES:  # e.g. LinkedIn's 999: no HTTP status the database can hold
        invalid = LinkResult(url, final_url=final_url, error=f"invalid HTTP status {status}")
        return _Outcome(invalid, transient=False, method_refused=True)
    result = LinkResult(url, status=status, final_url=final_url)
    return _Outcome(result, transient=status == 429 or status >= 500, method_refused=status >= 400)


async def _send(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    """A HEAD is read to its end (it has no body), which leaves the connection open for the next URL. A GET
    is streamed and closed after the headers, so its body is never downloaded."""
    if method == "HEAD":
        return await client.head(url)
    async with client.stream(method, url) as response:
        return response


def _failure(url: str, error: Exception, timeout: float) -> _Outcome:
    """No HTTP answer: a short reason, whether to retry, whether a GET may fare better than a HEAD."""
    text, transient, method_refused = _describe(error, timeout)
    failed_at = _failed_at(error)
    failed_at = failed_at if failed_at != url and len(failed_at) <= MAX_URL_LENGTH else ""
    return _Outcome(LinkResult(url, final_url=failed_at, error=_short(text)), transient, method_refused)


def _failed_at(error: Exception) -> str:
    """The URL whose request failed, which differs from the checked one after redirects."""
    try:
        return str(error.request.url) if isinstance(error, httpx.RequestError) else ""
    except RuntimeError:  # httpx attached no request to this error
        return ""


def _describe(error: BaseException, timeout: float) -> tuple[str, bool, bool]:
    """(text, transient, method_refused) for an exception and the causes it chains."""
    causes = list(_chain(error))
    if isinstance(error, NonPublicAddress):
        return str(error), False, False
    if any(isinstance(cause, TimeoutError | httpx.TimeoutException) for cause in causes):
        return f"timed out after {timeout:g} s", True, False
    if isinstance(error, httpx.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects", False, False
    if isinstance(error, httpx.UnsupportedProtocol):
        return "redirected to a URL that is not http or https", False, False
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: {cause.verify_message}", False, False
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {(cause.reason or str(cause)).replace('_', ' ').lower()}", False, False
        if isinstance(cause, socket.gaierror):
            return "host not found", True, False
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused", True, False
        if isinstance(cause, ConnectionResetError):
            return "connection reset", True, True
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno).lower(), True, False
    if isinstance(error, httpx.RemoteProtocolError):
        return f"protocol error: {error}", True, True
    if isinstance(error, httpx.TransportError):
        return f"connection failed: {error}", True, True
    return f"{type(error).__name__}: {error}", False, True


def _chain(error: BaseException | None):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"
