"""Links to the server's own network are refused where they are entered: the suggestion form, the admin's
resource form and content files. Otherwise check_links would fetch 169.254.169.254 (cloud metadata),
127.0.0.1:6379 (Redis) or an intranet name from inside the network on someone's behalf.

The rule is plumbing.addresses, applied without DNS: ordinary links keep working on a machine that can't
resolve names. (check_links, which checks every address it connects to after DNS, is tested in
tests/learning/test_check_links.py.)
"""

import socket
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from learning.catalogue.content import yaml_io
from learning.models import Resource, ResourceSuggestion
from plumbing.addresses import host_problem
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

NON_PUBLIC = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://[::1]:6379/",
    "http://127.0.0.1:5432/",
    "http://127.1/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",  # ... in hexadecimal, two parts
    "http://0177.0.0.1/",  # ... in octal
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",  # AWS's IPv6 metadata address (unique local)
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/admin",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://224.0.0.1/",  # multicast
    "http://[ff02::1]/",
    "http://0.0.0.0:8000/",
    "http://[::]/",
    "http://[fec0::1]/",  # site-local (deprecated, still routed inside some networks)
    "http://[2002:7f00:1::]/",  # 6to4 carrying 127.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo carrying 127.0.0.1
    "http://[64:ff9b::a00:7]/",  # NAT64 carrying 10.0.0.7
    "http://240.0.0.1/",  # reserved
    "http://localhost:8000/",
    "http://LOCALHOST./",
    "http://admin.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://intranet/",  # a name without a dot
    "http://ｌｏｃａｌｈｏｓｔ/",  # fullwidth letters fold to localhost
]
PUBLIC = [
    "https://docs.python.org/3/",
    "http://93.184.215.14/",
    "https://[2606:4700::1111]/",
    "https://bücher.de/",
]


@pytest.fixture
def no_dns(monkeypatch):
    """A machine that can't resolve any name: the entry checks must not need to."""

    def unreachable(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", unreachable)
    monkeypatch.setattr(socket, "gethostbyname", unreachable)


def suggest(client, learner, url):
    topic = TopicFactory(slug="caching")
    client.force_login(learner)
    data = {"url": url, "title": "A link", "kind": "article", "reason": "See for yourself."}
    return client.post(reverse("learning:suggest_resource", args=[topic.slug]), data)


@pytest.mark.parametrize("url", NON_PUBLIC)
def test_a_suggestion_of_a_non_public_address_is_refused(client, learner, url, no_dns):
    response = suggest(client, learner, url)

    assert response.status_code == 400
    assert "Only links to public web sites can be suggested" in response.content.decode()
    assert not ResourceSuggestion.objects.exists()


@pytest.mark.parametrize("url", PUBLIC)
def test_ordinary_links_are_still_suggested_without_dns(client, learner, url, no_dns):
    response = suggest(client, learner, url)

    assert response.status_code == 302
    assert ResourceSuggestion.objects.count() == 1


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/", "http://[::1]:6379/", "http://db.internal/"]
)
def test_the_admin_refuses_a_resource_on_a_non_public_address(curator_client, url, no_dns):
    data = {"url": url, "title": "Internal", "kind": "docs", "cost": "free", "level": "beginner"}

    response = curator_client.post(reverse("admin:learning_resource_add"), {**data, "_save": "Save"})

    assert response.status_code == 200  # the admin's form, sent back with its errors
    errors = response.context["adminform"].form.errors["url"]
    assert any("only links to public web sites can be stored" in error for error in errors), errors
    assert not Resource.objects.exists()


def test_a_content_file_with_a_non_public_address_loads_nothing(tmp_path, no_dns):
    yaml_io.write(tmp_path / "topics.yaml", [{"slug": "redis", "title": "Redis", "summary": "Caching."}])
    resources = [
        {
            "url": "https://redis.io/docs/",
            "title": "Redis docs",
            "kind": "docs",
            "cost": "free",
            "level": "beginner",
            "topics": ["redis"],
        },
        {
            "url": "http://127.0.0.1:6379/",
            "title": "Our Redis",
            "kind": "docs",
            "cost": "free",
            "level": "beginner",
            "topics": ["redis"],
        },
    ]
    yaml_io.write(tmp_path / "resources.yaml", resources)

    with pytest.raises(CommandError) as refused:
        call_command("load_roadmap", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert "resources.yaml" in str(refused.value)
    assert "127.0.0.1 is not a public address" in str(refused.value)
    assert not Resource.objects.exists()


@pytest.mark.parametrize("url", NON_PUBLIC)
def test_every_non_public_form_is_named_by_the_rule(url):
    host = urlsplit(url).hostname
    assert host_problem(host), host


@pytest.mark.parametrize(
    "host",
    [
        "docs.python.org",
        "93.184.215.14",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "2002:808:808::",
        "64:ff9b::808:808",
    ],
)
def test_public_hosts_pass_the_rule(host):
    assert host_problem(host) is None


def test_names_and_networks_allowed_by_the_setting_pass(settings):
    settings.ALLOWED_PRIVATE_LINK_TARGETS = ["localhost", "10.1.0.0/16"]
    assert host_problem("localhost") is None
    assert host_problem("10.1.2.3") is None
    assert host_problem("10.2.0.1") == "10.2.0.1 is not a public address"
    assert host_problem("127.0.0.1") == "127.0.0.1 is not a public address"


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("", "it has no host"),
        ("[]", "it has no host"),
        ("1.2.3.4.5", "1.2.3.4.5 is neither a host name nor a valid address"),  # five numeric parts
        ("256.0.0.1", "256.0.0.1 is neither a host name nor a valid address"),  # a part over 255
        ("1.16777216", "1.16777216 is neither a host name nor a valid address"),  # the last part overflows
        ("08.0.0.1", "08.0.0.1 is neither a host name nor a valid address"),  # 8 is no octal digit
        ("example.0x", "example.0x is neither a host name nor a valid address"),  # ends in a number (0x)
        ("1::2::3", "1::2::3 is neither a host name nor a valid address"),
    ],
)
def test_a_host_no_resolver_would_take_is_named_by_the_rule(host, problem):
    assert host_problem(host) == problem
