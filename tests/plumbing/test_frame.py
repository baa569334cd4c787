"""The page's frame (templates/base.html): `{% constant %}` (plumbing.templatetags.site_meta), the parts that are
the same on every page (the stylesheet and script URLs, the footer), rendered once per process and shown as
they were; and numbers in the main part printed as they are."""

import pytest
from django.template import Context, TemplateSyntaxError, engines
from django.templatetags.static import static
from django.test import Client, override_settings
from django.urls import reverse

from plumbing.templatetags import site_meta
from tests.conftest import logged_in
from tests.factories import UserFactory

FRAME = "{% load site_meta %}{% constant %}{{ SITE_NAME }}|{{ secret }}|{% link 'learning:track_list' %}{% endconstant %}"


def template(source=FRAME):
    return engines["django"].from_string(source)


def test_its_content_is_rendered_once_and_shown_on_every_page(monkeypatch):
    calls = []
    real = site_meta.reversed_url
    monkeypatch.setattr(
        site_meta, "reversed_url", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs)
    )
    frame = template()
    first = frame.render({"SITE_NAME": "Roadmap"})
    second = frame.render({"SITE_NAME": "Roadmap"})
    assert first == second == f"Roadmap||{reverse('learning:track_list')}"
    assert len(calls) == 1


@override_settings(SITE_NAME="Roadmap")
def test_it_sees_the_site_s_settings_and_nothing_of_the_page_or_the_request(rf):
    request = rf.get("/")
    frame = template(
        "{% load site_meta %}{% constant %}{{ SITE_NAME }}|{{ secret }}|{{ request.path }}|{{ user }}{% endconstant %}"
    )
    shown = frame.render({"secret": "Ada's note", "user": "ada"}, request)
    assert shown == "Roadmap|||"


def test_a_changed_setting_renders_it_again():
    frame = template()
    with override_settings(SITE_NAME="Before"):
        assert frame.render({}).startswith("Before|")
    with override_settings(SITE_NAME="After"):
        assert frame.render({}).startswith("After|")


def test_it_takes_no_arguments():
    with pytest.raises(TemplateSyntaxError, match="takes no arguments"):
        template("{% load site_meta %}{% constant 'head' %}x{% endconstant %}")


def test_the_page_s_context_is_left_as_it_was():
    frame = template("{% load site_meta %}{% constant %}{{ secret }}{% endconstant %}[{{ secret }}]")
    assert any(isinstance(node, site_meta.ConstantNode) for node in frame.template.nodelist)
    assert frame.template.render(Context({"secret": "kept"})) == "[kept]"


@pytest.mark.django_db
@pytest.mark.parametrize("learner", [False, True])
def test_every_page_links_the_stylesheet_script_and_footer(learner):
    client = logged_in(UserFactory()) if learner else Client()
    for url in (reverse("learning:home"), reverse("learning:track_list"), reverse("learning:resource_list")):
        html = client.get(url).content.decode()
        assert f'<link rel="stylesheet" href="{static("css/site.css")}">' in html
        assert f'<script src="{static("js/htmx.min.js")}" defer></script>' in html
        assert f'<a href="{reverse("learning:tag_list")}">Tags</a>' in html
        assert html.count('<footer class="site-footer">') == 1


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_numbers_in_the_main_part_print_as_they_are(rf):
    request = rf.get("/")
    page = template(
        "{% extends 'base.html' %}{% block main %}<p>{{ actions }} · {{ hours }}</p>{% endblock %}"
    )
    html = page.render({"actions": 1234567, "hours": 2.5}, request)
    assert "<p>1234567 · 2.5</p>" in html
