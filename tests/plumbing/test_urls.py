"""Links reversed once per process (plumbing.urls): the same paths as reverse(), under each script prefix
and URLconf."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from plumbing import urls


@pytest.fixture(autouse=True)
def _forgotten():
    urls.forget()
    yield
    urls.forget()
    clear_script_prefix()


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
