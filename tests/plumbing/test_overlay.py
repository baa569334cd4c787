"""Slots in a memoised fragment: marked by the template tag, filled per request, escaped, memoised by key."""

import pickle
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.template import engines

from plumbing import overlay
from plumbing import release as releases


def render(source, **context):
    return engines["django"].from_string("{% load overlay %}" + source).render(context)


def test_slots_are_filled_per_kind_and_key():
    html = overlay.Overlay.of(
        render('<li class="n--{% slot "status" id %}">{{ title }}</li>', id=7, title="Git")
    )
    assert html.fill({"status": {"7": "done"}.get}.get) == '<li class="n--done">Git</li>'
    assert html.fill({"status": {}.get}.get) == '<li class="n--">Git</li>'


def test_a_kind_without_a_filler_leaves_its_slots_empty():
    html = overlay.Overlay.of(render('a{% slot "x" 1 %}b{% slot "y" 2 %}c'))
    assert html.fill({"y": lambda key: f"<{key}>"}.get) == "ab&lt;2&gt;c"


def test_values_are_escaped_unless_safe_and_text_around_is_kept_as_rendered():
    html = overlay.Overlay.of(render('{{ text }}{% slot "m" "a-b" %}', text="<b>"))
    assert html.parts == ("&lt;b&gt;", "")
    assert html.fill({"m": lambda key: "<em>"}.get) == "&lt;b&gt;&lt;em&gt;"
    assert html.fill({"m": lambda key: render("<em>{{ k }}</em>", k=key)}.get) == "&lt;b&gt;<em>a-b</em>"


def test_no_slots_is_the_html_itself():
    assert overlay.Overlay.of("<p>plain</p>").fill(lambda kind: None) == "<p>plain</p>"


def recording(make):
    """A build function for memo tests that notes each key it builds (in the list it comes with)."""
    built = []

    def build(key):
        built.append(key)
        return make(key)

    return built, build


def test_memo_builds_once_per_key_and_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(overlay._memo, "size", 2)
    overlay.forget()
    built, build = recording(str.upper)

    assert overlay.memo("a", lambda: build("a")) == "A"
    assert overlay.memo("a", lambda: build("a")) == "A"
    overlay.memo("b", lambda: build("b"))
    overlay.memo("a", lambda: build("a"))  # a is now the most recently used
    overlay.memo("c", lambda: build("c"))  # b goes
    overlay.memo("a", lambda: build("a"))
    overlay.memo("b", lambda: build("b"))
    assert built == ["a", "b", "c", "b"]
    overlay.forget()


def test_a_memo_of_its_own_keeps_its_size_apart_and_is_forgotten_with_the_others():
    own = overlay.Memo(1)
    overlay.memo("kept", lambda: "shared")
    own.get("a", lambda: "A")
    own.get("b", lambda: "B")  # a goes from its own memo only
    assert own.get("a", lambda: "A again") == "A again"
    assert overlay.memo("kept", lambda: "built again") == "shared"
    overlay.forget()
    assert own.get("a", lambda: "after") == "after"
    assert overlay.memo("kept", lambda: "after") == "after"
    overlay.forget()


def test_shared_values_are_kept_by_their_pickled_size_apart_from_the_small_ones(monkeypatch):
    monkeypatch.setattr(overlay._shared_memo, "max_bytes", 2500)
    overlay.forget()
    built, build = recording(lambda key: key * 1000)  # about a kilobyte pickled

    for key in ("a", "b", "c"):
        overlay.memo(("page", key), lambda key=key: build(key), shared=True)
    assert len(overlay._shared_memo) == 2  # the third kilobyte pushed the first out
    assert 2000 <= overlay._shared_memo.bytes <= 2500
    overlay.memo("small", lambda: "unshared")  # the count-bounded memo: it pushes nothing out here
    assert len(overlay._shared_memo) == 2
    cache.clear()  # so "a" is built again rather than read back from the shared copy
    overlay.memo(("page", "c"), lambda: build("c"), shared=True)
    overlay.memo(("page", "a"), lambda: build("a"), shared=True)
    assert built == ["a", "b", "c", "a"]
    overlay.forget()
    assert overlay._shared_memo.bytes == 0


def test_a_shared_value_that_does_not_pickle_counts_as_a_large_page(monkeypatch):
    monkeypatch.setattr(overlay._shared_memo, "max_bytes", overlay.UNPICKLED_BYTES + 100)
    overlay.forget()
    overlay.memo(("page", 1), lambda: lambda: "a function", shared=True)
    assert overlay._shared_memo.bytes == overlay.UNPICKLED_BYTES
    overlay.memo(("page", 2), lambda: "x" * 1000, shared=True)  # over the bound: the function goes
    assert len(overlay._shared_memo) == 1
    overlay.forget()


def test_an_overlay_given_for_a_slot_is_filled_with_the_same_fillers():
    part = overlay.Overlay.of(render('<b>{% slot "who" "" %}</b>'))
    html = overlay.Overlay.of(render('<p>{% slot "part" 1 %}{% slot "part" 2 %}</p>'))
    fillers = {"part": {"1": part, "2": None}.get, "who": lambda key: "<me>"}.get
    assert html.fill(fillers) == "<p><b>&lt;me&gt;</b></p>"


def test_a_slot_key_of_several_parts_is_joined_by_a_dash():
    html = overlay.Overlay.of(render('{% slot "messages" "review" 12 %}'))
    assert html.slots == (("messages", "review-12"),)


def test_a_shared_fragment_sees_the_path_and_slots_but_nothing_of_the_person():
    source = (
        "{{ request.path }}|{{ request.get_full_path }}|{{ user.is_authenticated }}|{{ user.username }}"
        "|{{ user.email }}|{{ request.COOKIES }}|{% csrf_token %}"
    )
    html = overlay.Overlay.of(render(source, **overlay.shared_context("/topics/git/", authenticated=True)))
    assert html.parts == (
        "/topics/git/|",
        '|True||||<input type="hidden" name="csrfmiddlewaretoken" value="',
        '">',
    )
    assert html.slots == (("request", "full_path"), ("request", "csrf"))


def test_a_shared_fragment_renders_once_and_each_variant_of_a_part_once(monkeypatch):
    rendered = []

    def render_to_string(name, context):
        rendered.append((name, context.get("variant")))
        return f"<{name}:{context['topic']}:{context.get('variant')}>"

    monkeypatch.setattr(overlay, "render_to_string", render_to_string)
    shared = overlay.Shared("main.html", {"topic": "git"})
    assert shared.main.fill(lambda kind: None) == "<main.html:git:None>"
    first = shared.part(("status", "done"), "status.html", variant="done")
    assert shared.part(("status", "done"), "status.html", variant="done") is first
    shared.part(("status", "learning"), "status.html", variant="learning")
    assert first.fill(lambda kind: None) == "<status.html:git:done>"
    assert rendered == [("main.html", None), ("status.html", "done"), ("status.html", "learning")]


def test_fill_lays_the_request_s_own_token_path_and_messages_onto_shared_html(rf):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    shared = overlay.Overlay.of(
        render(
            '<form>{% csrf_token %}<input name="next" value="{{ request.get_full_path }}"></form>'
            '<div id="rate">{% slot "messages" "rate" %}</div>{% slot "mine" 7 %}{% csrf_token %}',
            **overlay.shared_context("/r/", authenticated=True),
        )
    )
    request = rf.get("/r/", {"q": '"<x>'})
    message = Message(constants.SUCCESS, "Saved.", extra_tags="at:rate")
    template = engines["django"].from_string(
        "{% load overlay notices %}{% placing_messages %}{% fill shared fillers %}{% endplacing_messages %}"
    )
    html = template.render(
        {"shared": shared, "fillers": {"mine": lambda key: f"[{key}]"}, "messages": [message]}, request
    )
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]  # made once for the page, as {% csrf_token %} does
    assert 'value="/r/?q=%22%3Cx%3E"' in html
    assert '<div id="rate"><div class="messages messages--at" role="status">' in html
    assert html.count("Saved.") == 1  # placed in its section, so not again at the top
    assert "[7]" in html


def test_an_include_slot_renders_its_template_in_the_page_s_context(rf, monkeypatch):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    # Shared HTML holds no one's own bits: the part that is theirs is included per request, like
    # {% include %}, seeing the page's context (its variables, its messages placed where they were said).
    shared = overlay.Overlay.of(
        render(
            '<main>{% slot "include" "mine.html" %}</main>',
            **overlay.shared_context("/r/", authenticated=True),
        )
    )
    engine = engines["django"].engine
    mine = engine.from_string(
        '{% load notices %}<p>{{ name }}: {{ count }}</p><div id="goal">{% messages_at "goal" %}</div>'
    )
    monkeypatch.setattr(engine, "get_template", {"mine.html": mine}.__getitem__)
    page = engines["django"].from_string(
        "{% load overlay notices %}{% placing_messages %}{% fill shared %}{% endplacing_messages %}"
    )
    message = Message(constants.SUCCESS, "Goal saved.", extra_tags="at:goal")
    context = {"shared": shared, "name": "Ada <3", "count": 2, "messages": [message]}
    html = page.render(context, rf.get("/r/"))
    assert html.startswith("<main><p>Ada &lt;3: 2</p>")
    assert '<div id="goal"><div class="messages messages--at" role="status">' in html
    assert html.count("Goal saved.") == 1  # placed in the included section, not again at the top


# ---------- The shared memo: built once between every process, a help and never a need ----------


def test_a_shared_value_is_read_by_a_process_that_has_not_built_it():
    assert overlay.memo(("page", 1), lambda: {"html": "<p>built</p>"}, shared=True) == {
        "html": "<p>built</p>"
    }
    overlay.forget()  # another process: nothing in its memory, the same shared cache

    def not_again():
        raise AssertionError("built twice")

    assert overlay.memo(("page", 1), not_again, shared=True) == {"html": "<p>built</p>"}
    assert overlay.memo(("page", 2), lambda: "other key", shared=True) == "other key"


def test_without_the_shared_cache_each_process_builds_it(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    built = []
    for _ in range(2):
        overlay.forget()
        assert overlay.memo(("page", 1), lambda: built.append(1) or "built", shared=True) == "built"
    assert built == [1, 1]


def test_a_value_that_does_not_pickle_is_served_and_kept_in_this_process_only(caplog):
    value = {"render": lambda: "a function"}
    assert overlay.memo(("page", 1), lambda: value, shared=True) is value
    assert overlay.memo(("page", 1), lambda: "not again", shared=True) is value
    assert "does not pickle" in caplog.text
    overlay.forget()
    assert overlay.memo(("page", 1), lambda: "built here", shared=True) == "built here"


def test_an_unreadable_shared_copy_is_built_again(caplog):
    cache.set(overlay.shared_key(("page", 1)), b"not a pickle", 60)
    assert overlay.memo(("page", 1), lambda: "built", shared=True) == "built"
    assert "could not read" in caplog.text
    overlay.forget()
    assert overlay.memo(("page", 1), lambda: "not again", shared=True) == "built"


def test_another_release_never_reads_this_ones_copies(monkeypatch):
    overlay.memo(("page", 1), lambda: "this release", shared=True)
    overlay.forget()
    monkeypatch.setattr(releases, "release", lambda: "another")
    assert overlay.memo(("page", 1), lambda: "the other release", shared=True) == "the other release"


def test_the_release_is_the_code_and_templates(settings, tmp_path):
    releases.release.cache_clear()
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>one</p>")
    (tmp_path / "tests").mkdir()
    first = releases.release()
    releases.release.cache_clear()
    (tmp_path / "tests" / "test_page.py").write_text("a test is not the release")
    assert releases.release() == first
    releases.release.cache_clear()
    (tmp_path / "templates" / "page.html").write_text("<p>two</p>")
    assert releases.release() != first
    releases.release.cache_clear()


def test_a_shared_key_is_made_of_plain_values():
    assert overlay.shared_key(("topic", "git", 3, True, None, (1, 2))) == overlay.shared_key(
        ("topic", "git", 3, True, None, (1, 2))
    )
    assert overlay.shared_key(("topic", 3)) != overlay.shared_key(("topic", "3"))
    with pytest.raises(TypeError):
        overlay.shared_key(("topic", object()))


def test_a_shared_fragment_keeps_for_its_parts_only_what_they_use(rf):
    request = rf.get("/topics/git/")
    request.user = AnonymousUser()
    html = overlay.Shared.for_request(
        "includes/ready_summary.html", request, {"form": object(), "title": "Git"}, main_only=("form",)
    )
    assert "form" not in html.context
    assert html.context["title"] == "Git"
    assert pickle.loads(pickle.dumps(html)).main.parts == html.main.parts  # noqa: S301 - our own bytes
