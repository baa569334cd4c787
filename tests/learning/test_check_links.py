"""`manage.py check_links`, run against an HTTP server each test starts on 127.0.0.1: never an outside host.

The server's paths compose: `/delay/30/redirect/no-head/status/404/7` waits 30 ms, redirects to
`/no-head/status/404/7`, which refuses HEAD with 405 and answers GET with 404. A trailing number only makes
a URL unique (resource URLs are).
"""

import asyncio
import re
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import quote, unquote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.catalogue.linkcheck import Options, check_urls, check_urls_async
from learning.management.commands import check_links
from learning.models import Resource
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

# Short enough to keep the file fast; call_command takes these as the command's options.
FAST = {"timeout": 1.0, "retries": 1, "backoff": 0.01}
DEFAULT_CONCURRENCY = Options().concurrency
BIG_BODY = 64 * 1024 * 1024  # what /big would send in full: far more than socket buffers hold


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def do_HEAD(self):
        self.serve()

    def do_GET(self):
        self.serve()

    def serve(self):
        server = self.server
        host = self.headers["Host"].split(":")[0]
        with server.lock:
            server.requests[self.command, self.path] += 1
            server.in_flight[host] += 1
            server.max_in_flight[host] = max(server.max_in_flight[host], server.in_flight[host])
        try:
            self.route(self.path)
        finally:
            with server.lock:
                server.in_flight[host] -= 1

    def route(self, path):
        server = self.server
        if match := re.fullmatch(r"/delay/(\d+)(/.*)", path):
            time.sleep(int(match[1]) / 1000)
            self.route(match[2])
        elif match := re.fullmatch(r"/redirect(/.*)", path):
            self.answer(301, location=match[1])
        elif match := re.fullmatch(r"/away/(.+)", path):  # a redirect to another host: /away/<quoted URL>
            self.answer(302, location=unquote(match[1]))
        elif match := re.fullmatch(r"/no-head(/.*)", path):
            self.answer(405) if self.command == "HEAD" else self.route(match[1])
        elif match := re.fullmatch(r"/flaky/(\d+)(/.*)", path):
            with server.lock:
                server.flaky[path] += 1
                failing = server.flaky[path] <= int(match[1])
            self.answer(503) if failing else self.route(match[2])
        elif match := re.fullmatch(r"/status/(\d+)(/\d+)?", path):
            self.answer(int(match[1]))
        elif path == "/slow":
            server.release.wait(timeout=5)
            self.answer(200)
        elif path == "/loop":
            self.answer(302, location="/loop")
        elif path == "/toggle":
            self.answer(server.toggle_status)
        elif path == "/big":
            self.send_big_body()
        else:
            self.answer(404)

    def answer(self, status, *, location=None, body=b"hello"):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_big_body(self):
        """HEAD refused; a GET gets a huge body, and the server counts what the client let it send."""
        if self.command == "HEAD":
            return self.answer(405)
        self.send_response(200)
        self.send_header("Content-Length", str(BIG_BODY))
        self.end_headers()
        chunk, sent = b"x" * 65536, 0
        try:
            while sent < BIG_BODY:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            self.close_connection = True
        finally:
            self.server.big_body_sent = sent
            self.server.big_body_done.set()

    def log_message(self, format, *args):
        pass


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent connections must not be dropped

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests = Counter()  # (method, path) → how many
        self.in_flight = Counter()  # host → requests being answered now
        self.max_in_flight = Counter()  # host → the most at once
        self.flaky = Counter()
        self.toggle_status = 500
        self.release = threading.Event()  # lets /slow answer, at teardown at the latest
        self.big_body_sent = None
        self.big_body_done = threading.Event()

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.server_port}{path}"

    def handle_error(self, request, client_address):
        pass  # clients hang up early on purpose (timeouts, streamed GETs closed after the headers)


@pytest.fixture(autouse=True)
def _local_servers_allowed(settings):
    """These tests' servers listen on this machine, which links may otherwise never point to."""
    settings.ALLOWED_PRIVATE_LINK_TARGETS = ["127.0.0.1", "::1", "localhost"]


@pytest.fixture
def server():
    server = LinkServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port():
    """A port nothing listens on: bound, never listened on, released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(**options):
    """Runs check_links with the fast options (overridable) and returns what it printed."""
    out = StringIO()
    call_command("check_links", stdout=out, **{**FAST, **options})
    return out.getvalue()


def resource_at(server, path, **fields):
    return ResourceFactory(url=server.url(path), **fields)


def reloaded(resource):
    resource.refresh_from_db()
    return resource


def checked(url, **options):
    """A published resource at `url`, after one check_links run: as stored."""
    resource = ResourceFactory(url=url)
    run(**options)
    return reloaded(resource)


def health(resource):
    return resource.link_status, resource.link_error, resource.link_failures


# ---------- one verdict per kind of link ----------


def test_check_working_link_records_status_and_time(server):
    resource = checked(server.url("/status/200"))
    assert health(resource) == (200, "", 0)
    assert resource.link_final_url == resource.url
    assert resource.link_checked_at is not None
    assert not resource.link_is_broken
    assert server.requests == {("HEAD", "/status/200"): 1}  # HEAD sufficed: no GET, no retry


@pytest.mark.parametrize(("status", "failures"), [(200, 0), (404, 1)])
def test_check_redirect_followed_final_status_and_url_recorded(server, status, failures):
    resource = checked(server.url(f"/redirect/status/{status}"))
    assert health(resource) == (status, "", failures)
    assert resource.link_final_url == server.url(f"/status/{status}")


def test_check_not_found_broken_without_retry(server):
    assert health(checked(server.url("/status/404"))) == (404, "", 1)
    # HEAD refused with 404, so GET has its say; a 404 is not transient, so no second attempt.
    assert server.requests == {("HEAD", "/status/404"): 1, ("GET", "/status/404"): 1}


def test_check_server_error_retried_then_broken(server):
    assert health(checked(server.url("/status/500"), retries=2)) == (500, "", 1)
    # HEAD, then GET; the retries go straight to GET since this server refused HEAD.
    assert server.requests == {("HEAD", "/status/500"): 1, ("GET", "/status/500"): 3}


def test_check_slow_server_times_out_retried_and_recorded(server):
    started = time.monotonic()
    resource = checked(server.url("/slow"), timeout=0.2, retries=1)
    assert time.monotonic() - started < 2  # two attempts of 0.2 s, not the 5 s the handler would wait
    assert health(resource) == (None, "timed out after 0.2 s", 1)
    assert server.requests == {("HEAD", "/slow"): 2}  # retried; a timeout is no reason to try GET


def test_check_refused_connection_recorded_as_error(closed_port):
    resource = checked(f"http://127.0.0.1:{closed_port}/gone")
    assert health(resource) == (None, "connection refused", 1)
    assert resource.link_final_url == ""


def test_check_head_not_allowed_falls_back_to_get(server):
    assert health(checked(server.url("/no-head/status/200"))) == (200, "", 0)
    assert server.requests == {("HEAD", "/no-head/status/200"): 1, ("GET", "/no-head/status/200"): 1}


def test_check_get_fallback_does_not_download_the_body(server):
    assert checked(server.url("/big")).link_status == 200
    assert server.big_body_done.wait(timeout=5)
    assert server.big_body_sent < BIG_BODY / 2


@pytest.mark.parametrize(("retries", "status", "failures"), [(1, 200, 0), (0, 503, 1)])
def test_check_flaky_link_saved_by_the_retry(server, retries, status, failures):
    # Fails twice (the HEAD and the GET of the first attempt), then answers 200.
    resource = checked(server.url("/flaky/2/status/200"), retries=retries)
    assert health(resource) == (status, "", failures)


def test_check_redirect_loop_broken(server):
    assert health(checked(server.url("/loop"))) == (None, "more than 10 redirects", 1)


def test_check_status_outside_http_range_stored_as_error(server):
    # LinkedIn answers bots with 999; the database only holds 100–599.
    assert health(checked(server.url("/status/999"))) == (None, "invalid HTTP status 999", 1)


def test_check_tls_failure_not_retried(server):
    # Speaking TLS to a plain-HTTP port fails the handshake, as a broken certificate setup would.
    url = f"https://127.0.0.1:{server.server_port}/status/200"
    result = check_urls([url], Options(timeout=1, retries=2, backoff=0.01))[url]
    assert not result.ok
    assert result.error.startswith("TLS error: ")
    assert result.attempts == 1


def test_check_urls_checks_each_distinct_url_once(server):
    url = server.url("/status/200")
    results = check_urls([url, url], Options(timeout=1))
    assert list(results) == [url]
    assert results[url].ok
    assert server.requests == {("HEAD", "/status/200"): 1}


# ---------- only public addresses ----------


@pytest.fixture
def resolving_to(monkeypatch):
    """DNS as the test says: `resolving_to(name, *addresses)` makes `name` resolve to the first address, the
    next lookup to the second and so on (the last one from then on), as a rebinding DNS server would."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        queue = answers.get(host)
        address = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else host
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lambda name, *addresses: answers.__setitem__(name, list(addresses))


def test_check_refuses_a_public_looking_name_that_resolves_to_loopback(server, settings, resolving_to):
    settings.ALLOWED_PRIVATE_LINK_TARGETS = []  # no exception for this machine: as in production
    resolving_to("docs.example.org", "127.0.0.1")
    resource = ResourceFactory(url=server.url("/status/200", host="docs.example.org"))  # entered: fine

    output = run()

    assert health(reloaded(resource)) == (
        None,
        "refused: docs.example.org resolves to 127.0.0.1, which is not a public address",
        1,
    )
    assert server.requests == {}  # never connected
    assert "refused: docs.example.org resolves to 127.0.0.1" in output


def test_check_refuses_a_redirect_to_a_private_address(server):
    # This machine's server is allowed (the fixture above); where it redirects to is not.
    for target in (
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7:6379/",
        "http://localhost.localdomain/",
    ):
        url = server.url(f"/away/{quote(target, safe='')}")
        result = check_urls([url], Options(timeout=1, retries=2, backoff=0.01))[url]
        assert not result.ok
        assert result.error.startswith("refused: "), result.error
        assert "not a public" in result.error
        assert result.final_url == target  # where it was refused
        assert result.attempts == 1  # a refusal is no transient failure


def test_check_refuses_a_redirect_to_a_name_that_resolves_to_a_private_address(
    server, settings, resolving_to
):
    settings.ALLOWED_PRIVATE_LINK_TARGETS = ["127.0.0.1"]  # the server's address, not its other names
    resolving_to("internal.example.org", "10.0.0.7")
    url = server.url(f"/away/{quote('http://internal.example.org/secret', safe='')}")

    result = check_urls([url], Options(timeout=1, retries=0))[url]

    assert result.error == "refused: internal.example.org resolves to 10.0.0.7, which is not a public address"
    assert server.requests == {("HEAD", f"/away/{quote('http://internal.example.org/secret', safe='')}"): 1}


def test_check_connects_to_the_address_it_checked(server, settings, resolving_to):
    """The request goes to the address that was checked, with the name kept in Host: DNS answering
    differently a moment later (here 127.0.0.2, where nothing listens) can't send it elsewhere."""
    settings.ALLOWED_PRIVATE_LINK_TARGETS = ["127.0.0.0/8"]
    resolving_to("mirror.example.org", "127.0.0.1", "127.0.0.2")
    url = server.url("/status/200", host="mirror.example.org")

    result = check_urls([url], Options(timeout=1, retries=0))[url]

    assert result.ok, result
    assert result.final_url == url
    assert server.requests == {("HEAD", "/status/200"): 1}
    assert server.max_in_flight["mirror.example.org"] == 1  # the handler counts by the Host header


def test_check_tries_the_next_checked_address_when_one_refuses(server, settings, monkeypatch):
    """A name with two addresses, the first where nothing listens: the request goes to the second."""
    settings.ALLOWED_PRIVATE_LINK_TARGETS = ["127.0.0.0/8"]
    real = socket.getaddrinfo

    def two_addresses(host, port, *args, **kwargs):
        if host != "dual.example.org":
            return real(host, port, *args, **kwargs)
        return [*real("127.0.0.2", port, *args, **kwargs), *real("127.0.0.1", port, *args, **kwargs)]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    url = server.url("/status/200", host="dual.example.org")

    result = check_urls([url], Options(timeout=1, retries=0))[url]

    assert result.ok, result
    assert server.requests == {("HEAD", "/status/200"): 1}


def test_check_a_name_that_does_not_resolve_is_not_found_and_retried(monkeypatch):
    def not_found(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", not_found)
    url = "http://gone.example.org/page"

    result = check_urls([url], Options(timeout=1, retries=1, backoff=0.01))[url]

    assert (result.status, result.error, result.attempts) == (None, "host not found", 2)


def test_check_a_redirect_to_another_scheme_is_broken(server):
    url = server.url(f"/away/{quote('ftp://files.example.org/book.pdf', safe='')}")
    result = check_urls([url], Options(timeout=1, retries=1, backoff=0.01))[url]
    assert result.error == "redirected to a URL that is not http or https"
    assert result.attempts == 1  # not transient


@pytest.fixture
def resetting_server():
    """A port whose server accepts each connection and resets it (RST) before answering anything."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    running = True

    def reset_each():
        while running:
            try:
                client, _ = listener.accept()
            except OSError:
                continue
            client.recv(65536)  # the request arrived
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()  # linger 0: RST instead of FIN

    thread = threading.Thread(target=reset_each, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/page"
    running = False
    thread.join(timeout=2)
    listener.close()


def test_check_a_connection_reset_is_retried_and_recorded(resetting_server):
    url = resetting_server
    result = check_urls([url], Options(timeout=1, retries=1, backoff=0.01))[url]
    assert (result.status, result.attempts) == (None, 2)
    assert result.error == "connection reset"


# ---------- across runs, and which resources ----------


def test_check_failures_count_up_across_runs_and_reset_on_success(server):
    resource = resource_at(server, "/toggle")
    for expected in (1, 2, 3):
        run(retries=0)
        assert reloaded(resource).link_failures == expected
    server.toggle_status = 200
    run(retries=0)
    assert health(reloaded(resource)) == (200, "", 0)
    server.toggle_status = 404
    run(retries=0)
    assert reloaded(resource).link_failures == 1


def test_check_unpublished_resources_skipped(server):
    published = resource_at(server, "/status/200/1")
    hidden = resource_at(server, "/status/200/2", is_published=False)
    run()
    assert reloaded(published).link_checked_at is not None
    assert reloaded(hidden).link_checked_at is None
    assert ("HEAD", "/status/200/2") not in server.requests


def test_check_only_broken_rechecks_only_broken_links(server):
    working = resource_at(server, "/status/200/1")
    broken = resource_at(server, "/toggle")
    run(retries=0)
    checked_at = reloaded(working).link_checked_at
    assert reloaded(broken).link_failures == 1
    server.requests.clear()
    server.toggle_status = 200
    run(only_broken=True)
    assert server.requests == {("HEAD", "/toggle"): 1}
    assert reloaded(working).link_checked_at == checked_at
    assert reloaded(broken).link_failures == 0


def test_check_resource_option_checks_named_ones_even_unpublished(server):
    chosen = resource_at(server, "/status/200/1", is_published=False)
    other = resource_at(server, "/status/200/2")
    run(resources=[chosen.pk])
    assert reloaded(chosen).link_status == 200
    assert reloaded(other).link_checked_at is None
    with pytest.raises(CommandError, match=r"No resource with id 999999\."):
        run(resources=[chosen.pk, 999999])


def test_check_nothing_to_check_says_so(server):
    resource_at(server, "/status/200", is_published=False)
    assert run() == "No links to check.\n"
    assert not server.requests


@pytest.mark.parametrize(
    "option", [{"concurrency": 0}, {"per_host": 0}, {"timeout": 0}, {"retries": -1}, {"backoff": -1}]
)
def test_check_invalid_options_refused(option):
    with pytest.raises(CommandError):
        run(**option)


def test_check_url_edited_during_the_check_left_alone(server, monkeypatch):
    resource = resource_at(server, "/status/404/1")

    def check_then_edit(urls, options):
        results = check_urls(urls, options)
        Resource.objects.filter(pk=resource.pk).update(url=server.url("/status/200/1"))
        return results

    monkeypatch.setattr(check_links, "check_urls", check_then_edit)
    output = run()
    resource = reloaded(resource)
    assert (resource.link_checked_at, resource.link_failures) == (None, 0)
    assert "1 resource(s) changed or vanished during the check" in output


# ---------- storing ----------


def test_check_stores_results_in_one_bulk_update(server):
    for number in range(30):
        resource_at(server, f"/status/{(200, 404)[number % 2]}/{number}")
    with CaptureQueriesContext(connection) as queries:
        run()
    updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert Resource.objects.filter(link_checked_at__isnull=False).count() == 30
    assert Resource.objects.filter(link_failures=1).count() == 15


@pytest.mark.django_db(transaction=True)
def test_check_holds_no_transaction_during_network_io(server, monkeypatch):
    resource_at(server, "/status/200")
    seen = []

    def check_watching_transactions(urls, options):
        seen.append(connection.in_atomic_block)
        return check_urls(urls, options)

    monkeypatch.setattr(check_links, "check_urls", check_watching_transactions)
    run()
    assert seen == [False]


# ---------- what it prints ----------


def test_check_summary_counts_groups_causes_and_lists_broken(server, closed_port):
    resource_at(server, "/status/200", title="Fine page")
    resource_at(server, "/redirect/status/200/1", title="Moved page")
    missing = resource_at(server, "/status/404/1", title="Missing page")
    also_missing = resource_at(server, "/status/404/2", title="Also missing")
    refused = ResourceFactory(url=f"http://127.0.0.1:{closed_port}/x", title="Dead host")
    refused.link_failures = 2
    refused.save()

    output = run(retries=0)

    lines = output.splitlines()
    assert re.fullmatch(r"Checked 5 link\(s\) in \d+\.\d s: 2 working \(1 redirected\), 3 broken\.", lines[0])
    assert lines[1:4] == ["Broken, by cause:", "  HTTP 404            2", "  connection refused  1"]
    assert lines[4] == "Broken links:"
    assert lines[5:] == [
        f"  #{missing.pk} Missing page <{missing.url}>: HTTP 404 (first failure)",
        f"  #{also_missing.pk} Also missing <{also_missing.url}>: HTTP 404 (first failure)",
        f"  #{refused.pk} Dead host <{refused.url}>: connection refused (failed 3 checks in a row)",
    ]


def test_check_verbose_lists_redirected_links(server):
    moved = resource_at(server, "/redirect/status/200/1", title="Moved page")
    output = run(verbosity=2)
    assert f"  #{moved.pk} Moved page <{moved.url}> → <{server.url('/status/200/1')}>" in output
    assert "Redirected" not in run()


def test_check_all_working_summary_has_no_broken_section(server):
    resource_at(server, "/status/200")
    output = run()
    assert "0 broken." in output
    assert "Broken" not in output


def test_check_fail_on_broken_exits_nonzero_after_storing(server):
    resource = resource_at(server, "/status/404")
    run(fail_on_broken=False)
    with pytest.raises(CommandError, match=r"1 broken link\(s\)\.") as raised:
        run(fail_on_broken=True)
    assert raised.value.returncode == 1
    assert reloaded(resource).link_failures == 2


def test_check_fail_on_broken_quiet_when_all_work(server):
    resource_at(server, "/status/200")
    run(fail_on_broken=True)  # raises CommandError if it considers anything broken


# ---------- concurrency ----------


@pytest.mark.parametrize("concurrency", [3, 8])
def test_check_concurrency_bounded_by_option(server, concurrency):
    for number in range(24):
        resource_at(server, f"/delay/60/status/200/{number}")
    run(concurrency=concurrency, per_host=100)
    assert Resource.objects.filter(link_status=200).count() == 24
    # Reached (the checks overlap) and never exceeded.
    assert server.max_in_flight["127.0.0.1"] == concurrency


def test_check_waiting_for_a_slot_does_not_count_toward_the_timeout(server):
    # Four rounds of two 150 ms answers: the last ones start 450 ms in, after their 0.4 s timeout.
    for number in range(8):
        resource_at(server, f"/delay/150/status/200/{number}")
    run(concurrency=2, per_host=100, timeout=0.4, retries=0)
    assert Resource.objects.filter(link_status=200).count() == 8


def test_check_per_host_limit_bounds_each_host(server):
    for number in range(12):
        resource_at(server, f"/delay/60/status/200/{number}")
        ResourceFactory(url=server.url(f"/delay/60/status/200/{number}", host="localhost"))
    run(concurrency=20, per_host=2)
    assert Resource.objects.filter(link_status=200).count() == 24
    assert server.max_in_flight == {"127.0.0.1": 2, "localhost": 2}


# ---------- the admin ----------


@pytest.fixture
def catalogue(server):
    """Two working and two broken published resources, checked; and one broken one already hidden."""
    rows = {
        "ok": resource_at(server, "/status/200/1"),
        "moved": resource_at(server, "/redirect/status/200/2"),
        "missing": resource_at(server, "/status/404/3"),
        "erroring": resource_at(server, "/status/500/4"),
        "hidden": resource_at(server, "/status/410/5", is_published=False),
    }
    run(resources=[row.pk for row in rows.values()])
    resource_at(server, "/status/200/6")  # never checked
    return rows


def test_admin_broken_filter_lists_exactly_the_broken_links(curator_client, catalogue):
    url = reverse("admin:learning_resource_changelist")
    response = curator_client.get(url, {"link": "broken"})
    assert response.status_code == 200
    listed = {resource.pk for resource in response.context["cl"].result_list}
    assert listed == {catalogue[name].pk for name in ("missing", "erroring", "hidden")}
    assert "broken ×1 (404)" in response.text


def test_admin_unpublish_broken_action_unpublishes_only_broken(curator_client, catalogue):
    url = reverse("admin:learning_resource_changelist")
    everything = list(Resource.objects.values_list("pk", flat=True))
    response = curator_client.post(url, {"action": "unpublish_broken", "_selected_action": everything})
    assert response.status_code == 302
    published = set(Resource.objects.published().values_list("pk", flat=True))
    assert {catalogue["ok"].pk, catalogue["moved"].pk} <= published
    assert not published & {catalogue[name].pk for name in ("missing", "erroring", "hidden")}
    assert len(published) == 3  # the never-checked one stays too


# ---------- a thousand links ----------


def expected_at(number, closed_port):
    """(path or URL, expected status, expected error, expected final path) of the n-th of a mixed batch."""
    if number % 50 == 49:
        return f"http://127.0.0.1:{closed_port}/{number}", None, "connection refused", None
    kind = number % 10
    if kind == 6:
        return f"/delay/30/redirect/status/200/{number}", 200, "", f"/status/200/{number}"
    if kind == 7:
        return f"/delay/30/status/404/{number}", 404, "", f"/delay/30/status/404/{number}"
    if kind == 8:
        return f"/delay/30/no-head/status/200/{number}", 200, "", f"/delay/30/no-head/status/200/{number}"
    if kind == 9:
        return f"/delay/30/status/500/{number}", 500, "", f"/delay/30/status/500/{number}"
    return f"/delay/30/status/200/{number}", 200, "", f"/delay/30/status/200/{number}"


def test_check_a_thousand_links_each_gets_its_verdict(server, closed_port, capsys, monkeypatch):
    """The measurement: 1,000 published links, 30 ms per answer, a mix of verdicts, default concurrency."""
    plan = {number: expected_at(number, closed_port) for number in range(1000)}
    Resource.objects.bulk_create(
        Resource(
            url=path if path.startswith("http") else server.url(path), title=f"Link {number}", kind="article"
        )
        for number, (path, *_) in plan.items()
    )
    network = []

    def timed_check_urls(urls, options):
        started = time.monotonic()
        results = check_urls(urls, options)
        network.append(time.monotonic() - started)
        return results

    monkeypatch.setattr(check_links, "check_urls", timed_check_urls)
    started = time.monotonic()
    output = run(per_host=DEFAULT_CONCURRENCY, timeout=5, retries=1, backoff=0.01)
    took = time.monotonic() - started

    rows = Resource.objects.order_by("title").values_list(
        "title", "link_status", "link_error", "link_final_url", "link_failures", "link_checked_at"
    )
    for title, status, error, final_url, failures, checked_at in rows:
        _, expected_status, expected_error, final_path = plan[int(title.removeprefix("Link "))]
        assert (status, error) == (expected_status, expected_error), title
        assert final_url == (server.url(final_path) if final_path else ""), title
        assert failures == (0 if expected_status == 200 else 1), title
        assert checked_at is not None
    assert output.startswith("Checked 1000 link(s)")
    assert "800 working (100 redirected), 200 broken." in output
    # Never more than the limit at once, and several at once: on a busy machine the local server does not
    # always see many of them in the same instant (7 of 20 seen once, with two test runs sharing two cores);
    # test_check_concurrency_bounded_by_option checks the exact figure.
    assert 2 <= server.max_in_flight["127.0.0.1"] <= DEFAULT_CONCURRENCY
    # No wall-clock bound: the in-flight figure above proves the checks overlap, and time depends on the machine's
    # load (59 s was seen with other test runs sharing the 2 cores; 40 s would be the delays one at a time).
    with capsys.disabled():
        print(
            f"\n1,000 links on {connection.vendor}: check_links took {took:.2f} s "
            f"({network[0]:.2f} s checking, {took - network[0]:.2f} s reading and storing)"
        )


def test_async_code_awaits_the_checks_on_its_own_loop(server):
    urls = [server.url("/status/200"), server.url("/redirect/status/404/1")]

    async def from_async_code():
        return await check_urls_async(urls, Options(timeout=2, retries=0))

    results = asyncio.run(from_async_code())
    assert [(results[url].status, results[url].final_url) for url in urls] == [
        (200, urls[0]),
        (404, server.url("/status/404/1")),  # where the redirect ended
    ]
