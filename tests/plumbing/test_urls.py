"""Links reversed once per process (plumbing.urls): the same paths as reverse(), under each script prefix
and URLconf."""

import pytest
from django.core.signals import got_request_exception, request_finished, request_started
from django.template import engines
from django.urls import NoReverseMatch, clear_script_prefix, get_script_prefix, reverse, set_script_prefix

from plumbing import urls


@pytest.fixture(autouse=True)
def _forgotten():
    urls.forget()
    yield
    urls.forget()
    clear_script_prefix()
    urls._request_finished()  # no scope of a request left over


def test_a_link_is_what_reverse_gives_and_is_kept():
    assert urls.reversed_url("learning:topic_detail", slug="git") == reverse(
        "learning:topic_detail", kwargs={"slug": "git"}
    )
    assert urls.reversed_url("learning:home") == "/"
    before = urls._reversed.cache_info().hits
    urls.reversed_url("learning:topic_detail", slug="git")
    assert urls._reversed.cache_info().hits == before + 1


def test_each_script_prefix_gets_its_own_links():
    assert urls.reversed_url("learning:track_list") == "/tracks/"
    set_script_prefix("/roadmap/")
    assert urls.reversed_url("learning:track_list") == "/roadmap/tracks/"
    clear_script_prefix()
    assert urls.reversed_url("learning:track_list") == "/tracks/"


def test_a_name_that_does_not_reverse_raises_as_reverse_does_and_is_not_kept():
    with pytest.raises(NoReverseMatch):
        urls.reversed_url("learning:resource_detail", pk=None)
    assert urls._reversed.cache_info().currsize == 0


def test_swapping_the_urlconf_forgets_the_links(settings):
    urls.reversed_url("learning:home")
    assert urls._reversed.cache_info().currsize == 1
    settings.ROOT_URLCONF = "roadmap_site.urls"
    assert urls._reversed.cache_info().currsize == 0


def test_the_link_tag_escapes_like_url_and_sets_a_variable():
    template = engines["django"].from_string(
        "{% load site_meta %}<a href=\"{% link 'learning:topic_detail' slug=slug %}\">"
        "{% link 'learning:search' as search_url %}{{ search_url }}</a>"
    )
    assert template.render({"slug": "c-sharp"}) == '<a href="/topics/c-sharp/">/search/</a>'


# ---------- Read once per request ----------


@pytest.mark.django_db
def test_a_request_reads_its_urlconf_and_script_prefix_once_for_all_its_links(client, monkeypatch, settings):
    settings.PAGE_CACHE = False  # every request renders its links
    reads = []

    def counted():
        reads.append(1)
        return get_script_prefix()

    monkeypatch.setattr(urls, "get_script_prefix", counted)
    response = client.get("/tracks/")  # the header's and footer's links, a card's per track
    assert response.status_code == 200
    assert response.content.count(b'href="/') > 10
    assert len(reads) == 1
    client.get("/tracks/")
    assert len(reads) == 2  # the next request reads them again


@pytest.mark.django_db  # the signals' other receivers close old connections
def test_a_request_keeps_the_script_prefix_it_was_served_under_and_the_next_one_reads_it_again():
    request_started.send(sender=None, environ={})
    try:
        set_script_prefix("/roadmap/")
        assert urls.reversed_url("learning:track_list") == "/roadmap/tracks/"
        clear_script_prefix()  # the handler never changes it mid-request; if it did, the request's stays
        assert urls.reversed_url("learning:track_list") == "/roadmap/tracks/"
    finally:
        request_finished.send(sender=None)
    assert urls.reversed_url("learning:track_list") == "/tracks/"
    request_started.send(sender=None, environ={})
    try:
        assert urls.reversed_url("learning:track_list") == "/tracks/"
    finally:
        request_finished.send(sender=None)


def test_outside_a_request_each_link_reads_the_script_prefix():
    set_script_prefix("/roadmap/")
    assert urls.reversed_url("learning:track_list") == "/roadmap/tracks/"
    clear_script_prefix()
    assert urls.reversed_url("learning:track_list") == "/tracks/"


@pytest.mark.django_db  # the signals' other receivers close old connections
def test_a_request_that_raised_leaves_no_scope_behind():
    request_started.send(sender=None, environ={})
    urls.reversed_url("learning:track_list")
    got_request_exception.send(sender=None, request=None)
    set_script_prefix("/roadmap/")
    assert urls.reversed_url("learning:track_list") == "/roadmap/tracks/"
