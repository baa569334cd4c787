"""Slots in a memoised fragment: marked by the template tag, filled per request, escaped, memoised by key."""

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
    monkeypatch.setattr(overlay, "MEMO_SIZE", 2)
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
