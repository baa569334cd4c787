import pytest

from learning.catalogue.links import UnsupportedURL, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("HTTPS://Example.COM:443/Path", "https://example.com/Path"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        (
            "https://www.youtube.com/watch?v=GZvSYJDk-us&ab_channel=freeCodeCamp.org",
            "https://www.youtube.com/watch?v=GZvSYJDk-us",
        ),
        ("https://example.com/a?b=2&a=1&fbclid=z#section", "https://example.com/a?b=2&a=1"),
        ("  https://example.com/docs/  ", "https://example.com/docs/"),
        ("https://[2606:4700::1111]:8443/x", "https://[2606:4700::1111]:8443/x"),
    ],
)
def test_normalize_url_canonical_form(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["javascript:alert(1)", "ftp://example.com/file", "data:text/html,hi", "mailto:a@b.c", "https://", "/relative",
     "", "https://user:pw@example.com/", "http://example.com:99999/"],
)  # fmt: skip
def test_normalize_url_refuses_non_http(raw):
    with pytest.raises(UnsupportedURL):
        normalize_url(raw)


def test_normalize_url_drops_bidirectional_controls():
    assert normalize_url("https://example.com/\u202egnp.exe\u200f") == "https://example.com/gnp.exe"
    assert normalize_url("\u2066https://Example.com/a\u2069") == "https://example.com/a"
