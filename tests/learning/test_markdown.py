import pytest

from plumbing.markdown import render_markdown


def test_renders_headings_lists_code_and_tables():
    html = render_markdown("### Learn\n\n- **one**\n- `two`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h3>Learn</h3>" in html
    assert "<strong>one</strong>" in html
    assert "<code>two</code>" in html
    assert "<table>" in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ('<a href="vbscript:msgbox(1)">x</a>', "vbscript:"),
        ('<p style="position:fixed">x</p>', "style="),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
    ],
)
def test_strips_anything_that_could_run_or_restyle(source, forbidden):
    assert forbidden not in render_markdown(source)


def test_links_get_safe_rel():
    html = render_markdown("[Docs](https://docs.djangoproject.com/)")
    assert 'href="https://docs.djangoproject.com/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_empty_text_renders_empty():
    assert render_markdown("") == ""


def test_text_under_a_heading_starts_its_headings_one_level_below_it():
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four", below=2)
    assert "<h1>" not in html
    assert "One" in html
    assert "<h3>Two</h3>" in html
    assert "<h4>Three</h4>" in html
    assert "<h5>Four</h5>" in html
    assert render_markdown("## Two") == "<h2>Two</h2>"  # curated text keeps its levels
