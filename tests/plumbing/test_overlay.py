"""Slots in a memoised fragment: marked by the template tag, filled per request, escaped, memoised by key."""

import re

from django.template import engines

from plumbing import overlay


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


def test_memo_builds_once_per_key_and_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(overlay._memo, "size", 2)
    overlay.forget()
    built = []

    def build(key):
        built.append(key)
        return key.upper()

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
